package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An open loop, the way an application runs: producer threads call {@code create()} one by one at a
 * fixed rate while workers (concurrency 16, claims of 16) consume, for a while at each of 25, 50,
 * 75, 100 and 125 % of the capacity measured first in the same run; once with one worker process
 * (in the bench JVM), once with a second worker process beside it, each on a fresh schema.
 *
 * <p>Capacity is what the system sustains end to end: the completions per second while the
 * producers create as fast as they can (or the creates per second, when the workers keep up).
 * Creating faster than the workers complete only fills the queue, so the create rate alone is not a
 * capacity. No maintenance between steps, autovacuum at the server's defaults. Per step:
 * completions per second, pickup latency (claim time minus create time, both the database's clock)
 * p50/p99/max of that step's jobs, and the deepest and the final queue; the queue depth sampled
 * every 250 ms over the whole run is kept as a series for the chart.
 *
 * <p>For experiments: {@code -Dsteady.stepSeconds} (default 60, 2 with {@code --quick}), {@code
 * -Dsteady.pollMillis} (the worker's poll interval, default 1000) and {@code -Dsteady.processes}
 * (the largest number of worker processes, default 2).
 */
final class PgSteadyScenario implements Scenario {
  private static final int PRODUCERS = 32;
  private static final int[] PERCENTS = {25, 50, 75, 100, 125};
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);

  @Override
  public String name() {
    return "pg-steady";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    long stepSeconds = Long.getLong("steady.stepSeconds", run.size(60, 2));
    int maxProcesses = Integer.getInteger("steady.processes", 2);
    for (int processes = 1; processes <= maxProcesses; processes++) {
      runWith(run, processes, stepSeconds);
    }
    run.note(name() + ": " + stepSeconds + " s per step, " + PRODUCERS + " producer threads in the bench JVM; 1 worker in the"
        + " bench JVM, then also 1 in a second JVM; capacity = completions/s with the producers flat out; latency from each"
        + " job's created_at to its started_at (the database's clock); depth sampled every 250 ms.");
  }

  private void runWith(ScenarioRun run, int processes, long stepSeconds) throws Exception {
    String who = processes == 1 ? "1 worker process" : processes + " worker processes";
    try (BenchSchema schema = run.pg().newSchema(name(), PRODUCERS + 8)) {
      PostgresJobStore store = schema.store();
      JobManager jobs = NoopGenerator.manager(store, new NoopGenerator());
      List<SecondWorkerProcess> others = new ArrayList<>();
      try (JobWorker worker = JobWorker.builder(jobs).concurrency(ThroughputRig.CONCURRENCY).claimBatchSize(ThroughputRig.BATCH)
              .pollInterval(Duration.ofMillis(Long.getLong("steady.pollMillis", 1000))).build().start();
          DepthSampler depth = new DepthSampler(schema)) {
        for (int i = 1; i < processes; i++) {
          SecondWorkerProcess other = SecondWorkerProcess.start(run.pg(), schema.name(), ThroughputRig.CONCURRENCY, ThroughputRig.BATCH);
          others.add(other);
          other.startWorker();
        }
        SteadyProducers producers = new SteadyProducers(jobs, PRODUCERS);
        depth.mark("warm-up");
        producers.flatOut("steady-warm-up", Duration.ofSeconds(run.size(5, 1)).toNanos());
        awaitDrained(schema);
        depth.mark("capacity");
        double capacity = capacity(run, schema, producers, who, Duration.ofSeconds(run.size(20, 2)));
        awaitDrained(schema);
        for (int pct : PERCENTS) {
          step(run, schema, producers, depth, who, pct, capacity * pct / 100, stepSeconds);
        }
        run.series(depth.series("queue depth, " + who));
      } finally {
        others.forEach(SecondWorkerProcess::close);
        jobs.close();
        store.close();
      }
    }
  }

  /** The producers flat out for {@code length}. @return the completions/s, or the creates/s if lower */
  private static double capacity(ScenarioRun run, BenchSchema schema, SteadyProducers producers, String who, Duration length)
      throws Exception {
    long done0 = completed(schema);
    long t0 = System.nanoTime();
    long made = producers.flatOut("steady-capacity", length.toNanos());
    double seconds = (System.nanoTime() - t0) / 1e9;
    double created = made / seconds;
    double done = (completed(schema) - done0) / seconds;
    double capacity = Math.min(created, done);
    run.record(Measurement.of(String.format(Locale.ROOT,
        "capacity, %s: jobs/s completed while %d threads create one by one as fast as they can (they created %,.0f/s)",
        who, PRODUCERS, created), "jobs/s", capacity));
    return capacity;
  }

  private static void step(ScenarioRun run, BenchSchema schema, SteadyProducers producers, DepthSampler depth, String who,
      int pct, double rate, long seconds) throws Exception {
    String owner = "steady-" + pct;
    depth.mark(pct + " %");
    long before = completed(schema);
    long t0 = System.nanoTime();
    long created = producers.atRate(owner, rate, seconds);
    double took = (System.nanoTime() - t0) / 1e9;
    long done = completed(schema) - before;
    long deepest = depth.deepestSinceMark();
    long endDepth = DepthSampler.pending(schema);
    awaitDrained(schema);
    String at = String.format(Locale.ROOT, "%d %% of capacity, %s (%,.0f jobs/s offered)", pct, who, rate);
    run.record(Measurement.of(String.format(Locale.ROOT, "completions/s at %s; created %,.0f/s", at, created / took),
        "jobs/s", done / took));
    List<Double> p = latencies(schema, owner);
    boolean held = pct == 75;
    run.record(measure("pickup latency p50 at " + at, "ms", p.get(0), held ? Target.below(25) : null));
    run.record(measure("pickup latency p99 at " + at, "ms", p.get(1), held ? Target.below(50) : null));
    run.record(Measurement.of("pickup latency max at " + at, "ms", p.get(2)));
    // Bounded: at the end of the step the queue holds less than one second of offered work.
    run.record(measure("queue depth at the end of the step, at " + at, "jobs", endDepth, held ? Target.below(rate) : null));
    run.record(Measurement.of("queue depth, deepest, at " + at, "jobs", deepest));
  }

  private static Measurement measure(String metric, String unit, double value, @Nullable Target target) {
    return target == null ? Measurement.of(metric, unit, value) : Measurement.of(metric, unit, value, target);
  }

  private static long completed(BenchSchema schema) throws SQLException {
    return schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'");
  }

  /** No job left PENDING or PROCESSING (the way every throughput scenario waits). */
  private static void awaitDrained(BenchSchema schema) throws Exception {
    CompletionCounter.await(DRAIN_LIMIT, schema, "jobs");
  }

  /** p50, p99 and max of started_at − created_at in ms of {@code owner}'s jobs. */
  private static List<Double> latencies(BenchSchema schema, String owner) throws SQLException {
    String lat = "extract(epoch FROM (started_at - created_at)) * 1000";
    List<Double> out = new ArrayList<>();
    for (String q : List.of("percentile_disc(0.5) WITHIN GROUP (ORDER BY " + lat + ")",
        "percentile_disc(0.99) WITHIN GROUP (ORDER BY " + lat + ")", "max(" + lat + ")")) {
      // count() answers a long; the latencies are kept to the microsecond
      out.add(schema.count("SELECT (1000 * " + q + ")::bigint FROM " + schema.table("jobs") + " WHERE owner_id = '" + owner + "'")
          / 1000.0);
    }
    return out;
  }
}
