package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What pg-throughput and pg-history share: a schema with the store's {@code jobs} table, a {@code
 * baseline_jobs} table of the same columns, constraints and indexes ({@code LIKE … INCLUDING ALL}:
 * no triggers, so no event log), and {@code seed_jobs}, the N pending jobs made once through the
 * library's {@code createAll} and copied into either table before each run, so that every run starts
 * from the same rows on a vacuumed, checkpointed table.
 */
final class ThroughputRig implements AutoCloseable {
  static final int CONCURRENCY = 16;
  /** The claim batch of the worker and of the baseline loop. */
  static final int BATCH = 16;
  static final String JOBS = "jobs";
  static final String BASELINE = "baseline_jobs";
  private static final String SEED = "seed_jobs";
  private static final Duration LIMIT = Duration.ofMinutes(10);

  private final ScenarioRun run;
  private final BenchSchema schema;
  private final PostgresJobStore store;
  private final JobManager jobs;
  private int seeded;
  private boolean baselineLogsEvents;
  private boolean fair;

  ThroughputRig(ScenarioRun run, String scenario) throws SQLException {
    this.run = run;
    this.schema = run.pg().newSchema(scenario, 20);
    PostgresJobStore s = null;
    try {
      s = schema.store();
      this.store = s;
      this.jobs = NoopGenerator.manager(store, new NoopGenerator());
      schema.execute(
          "CREATE TABLE " + schema.table(BASELINE) + " (LIKE " + schema.table(JOBS) + " INCLUDING ALL)",
          "CREATE TABLE " + schema.table(SEED) + " (LIKE " + schema.table(JOBS) + ")");
    } catch (SQLException | RuntimeException e) {
      if (s != null) {
        s.close();
      }
      schema.close();
      throw e;
    }
  }

  /** The worker every run uses: concurrency 16, claims of 16. */
  static JobWorker worker(JobManager jobs, int concurrency, int batch) {
    return JobWorker.builder(jobs).concurrency(concurrency).claimBatchSize(batch).build();
  }

  BenchSchema schema() {
    return schema;
  }

  /** {@return the store of the runs in this JVM} */
  PostgresJobStore store() {
    return store;
  }

  /** {@return the manager that seeded the runs (no-op generator, no quota)} */
  JobManager manager() {
    return jobs;
  }

  /** Creates {@code n} pending jobs through the library (createAll, batches of 1,000) and keeps them as the seed. */
  void seed(int n) throws SQLException {
    seed(n, 1);
  }

  /**
   * As {@link #seed(int)}, job {@code seq} owned by {@code owner-(seq % owners)}, or by {@link
   * Batches#OWNER} when {@code owners} is 1. {@return the seconds createAll took}
   */
  double seed(int n, int owners) throws SQLException {
    return seedBy(n, () -> Batches.createAll(jobs, 0, n, 1000, owners));
  }

  /**
   * Empties the jobs table, runs {@code creates} (which makes {@code n} pending jobs through the
   * library) and keeps what it made as the seed. {@return the seconds {@code creates} took}
   */
  double seedBy(int n, Runnable creates) throws SQLException {
    schema.execute("TRUNCATE " + schema.table(JOBS));
    long t0 = System.nanoTime();
    creates.run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    run.progress(String.format(java.util.Locale.ROOT, "seeded %,d jobs with createAll in %.1f s", n, seconds));
    schema.execute(
        "TRUNCATE " + schema.table(SEED),
        "INSERT INTO " + schema.table(SEED) + " SELECT * FROM " + schema.table(JOBS));
    seeded = n;
    return seconds;
  }

  /** Whether the workers of the next runs claim owners in turn ({@code fairBetweenOwners}). */
  void fairClaims(boolean on) {
    fair = on;
  }

  /**
   * Empties {@code table} and loads the seed into it, triggers off, adds {@code history} finished
   * jobs; then vacuums and checkpoints.
   */
  void load(String table, int history) throws SQLException {
    schema.executeWithoutTriggers(
        "TRUNCATE " + schema.table(table),
        // The log of the previous run goes too: every run appends to a log of the same size.
        "TRUNCATE " + schema.table("jobs_events"),
        "INSERT INTO " + schema.table(table) + " SELECT * FROM " + schema.table(SEED));
    if (history > 0) {
      addHistory(table, history);
    }
    // Both tables: the other one still holds the dead rows of the previous run, which autovacuum
    // would otherwise clean up in the middle of this one.
    schema.settle(JOBS, BASELINE, "jobs_events");
  }

  /**
   * Adds {@code n} finished jobs to the jobs table with one INSERT … SELECT generate_series (uuid v7
   * ids from the past, as the library makes them), triggers off.
   */
  private void addHistory(String table, int n) throws SQLException {
    long t0 = System.nanoTime();
    schema.executeWithoutTriggers(
        "INSERT INTO " + schema.table(table) + " (id, owner_id, type, payload, status, progress, result, priority,"
            + " attempts, max_attempts, estimated_duration, actual_duration, created_at, updated_at, started_at,"
            + " finished_at, run_at)"
            + " SELECT (lpad(to_hex((extract(epoch FROM t.at) * 1000)::bigint), 12, '0') || '7' || substr(h.x, 1, 3)"
            + " || '8' || substr(h.x, 4, 15))::uuid,"
            + " 'owner-' || (g % 1000), 'noop', jsonb_build_object('seq', g), 'COMPLETED', 100, '{}'::jsonb, 5,"
            + " 1, 3, interval '30 seconds', interval '1 millisecond', t.at, t.at, t.at, t.at, t.at"
            + " FROM generate_series(1, " + n + ") AS g,"
            + " LATERAL (SELECT now() - interval '30 days' + g * interval '1 second' AS at) AS t,"
            + " LATERAL (SELECT md5(g::text) AS x) AS h");
    run.progress(String.format(java.util.Locale.ROOT, "added %,d finished jobs in %.1f s", n, (System.nanoTime() - t0) / 1e9));
  }

  /**
   * Loads the seed (and {@code history} finished jobs) and processes it with {@code inJvm} workers
   * in this JVM plus the second process's worker when given.
   *
   * @return jobs per second
   */
  double runWorkers(int inJvm, @Nullable SecondWorkerProcess second, int history) throws Exception {
    return runWorkersWith(inJvm, second == null ? List.of() : List.of(second), history);
  }

  /**
   * As {@link #runWorkers(int, SecondWorkerProcess, int)} with the workers of every process in
   * {@code others} started too.
   *
   * @return jobs per second
   */
  double runWorkersWith(int inJvm, List<SecondWorkerProcess> others, int history) throws Exception {
    load(JOBS, history);
    List<JobWorker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < inJvm; i++) {
        workers.add(JobWorker.builder(jobs).concurrency(CONCURRENCY).claimBatchSize(BATCH).fairBetweenOwners(fair).build());
      }
      long t0 = System.nanoTime();
      for (SecondWorkerProcess other : others) {
        other.startWorker();
      }
      workers.forEach(JobWorker::start);
      CompletionCounter.await(LIMIT, schema, JOBS);
      long nanos = System.nanoTime() - t0;
      return Timing.perSecond(seeded, nanos);
    } finally {
      workers.forEach(JobWorker::close);
      for (SecondWorkerProcess other : others) {
        other.stopWorker();
      }
    }
  }

  /**
   * Makes the baseline loop append an event per change to the store's event log the way the
   * store's own statements do, to show what logging every change costs the hand-written loop.
   */
  void logEventsOnBaseline() {
    baselineLogsEvents = true;
  }

  /** Loads the seed into the baseline table and processes it with the hand-written loop. @return jobs per second */
  double runBaseline() throws Exception {
    load(BASELINE, 0);
    long[] r = new SkipLockedLoop(schema.server(), schema.table(BASELINE), CONCURRENCY, BATCH,
        baselineLogsEvents ? schema.table("jobs_events") : null).run();
    if (r[1] != seeded) {
      throw new IllegalStateException("the baseline loop completed " + r[1] + " of " + seeded + " jobs");
    }
    return Timing.perSecond(seeded, r[0]);
  }

  /** Starts the second worker process on this schema. */
  SecondWorkerProcess startSecondProcess() throws Exception {
    return SecondWorkerProcess.start(schema.server(), schema.name(), CONCURRENCY, BATCH);
  }

  @Override
  public void close() throws SQLException {
    try {
      jobs.close();
      store.close();
    } finally {
      schema.close();
    }
  }
}
