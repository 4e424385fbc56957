package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Jobs created one by one from 8 threads, and with {@code createAll} in batches of 1,000, against
 * plain JDBC inserts of the same rows into an equivalent table (single statements from 8 threads;
 * multi-row batches of 1,000).
 */
final class PgEnqueueScenario implements Scenario {
  private static final int THREADS = 8;
  private static final int BATCH = 1000;
  private static final String JOBS = "jobs";
  private static final String BASELINE = "baseline_jobs";

  @Override
  public String name() {
    return "pg-enqueue";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int singles = run.size(16_000, 1_600);
    int batched = run.size(200_000, 10_000);
    try (BenchSchema schema = run.pg().newSchema(name(), THREADS + 4);
        PostgresJobStore store = schema.store();
        JobManager jobs = NoopGenerator.manager(store, new NoopGenerator())) {
      schema.execute("CREATE TABLE " + schema.table(BASELINE) + " (LIKE " + schema.table(JOBS) + " INCLUDING ALL)");
      PlainInserts plain = new PlainInserts(schema.server(), schema.table(BASELINE));
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        run.progress("warm-up");
        int warmBatches = run.size(20, 5);
        createOneByOne(pool, jobs, THREADS * 50);
        insertOneByOne(pool, plain, THREADS * 50);
        Batches.createAll(jobs, 0, warmBatches * BATCH, BATCH);
        try (Connection c = plain.connect(true)) {
          plain.batched(c, 0, warmBatches * BATCH, BATCH);
        }

        double plainSingle = 0;
        double oursSingle = 0;
        for (int round = 0; round < run.rounds(); round++) {
          reset(schema);
          plainSingle = Math.max(plainSingle, Timing.perSecond(singles, insertOneByOne(pool, plain, singles)));
          reset(schema);
          oursSingle = Math.max(oursSingle, Timing.perSecond(singles, createOneByOne(pool, jobs, singles)));
        }
        run.record(Measurement.versus(
            "jobs/s, create() one by one from 8 threads vs plain JDBC INSERT per row from 8 threads",
            "jobs/s", oursSingle, plainSingle, "plain JDBC, single rows", Target.ratioAtLeast(0.7)));

        double plainBatched = 0;
        double oursBatched = 0;
        for (int round = 0; round < run.rounds(); round++) {
          reset(schema);
          long t0 = System.nanoTime();
          try (Connection c = plain.connect(true)) {
            plain.batched(c, 0, batched, BATCH);
          }
          plainBatched = Math.max(plainBatched, Timing.perSecond(batched, System.nanoTime() - t0));
          reset(schema);
          t0 = System.nanoTime();
          Batches.createAll(jobs, 0, batched, BATCH);
          oursBatched = Math.max(oursBatched, Timing.perSecond(batched, System.nanoTime() - t0));
        }
        run.record(Measurement.versus(
            "jobs/s, createAll() in batches of 1,000 vs plain JDBC multi-row INSERT batches of 1,000",
            "jobs/s", oursBatched, plainBatched, "plain JDBC, multi-row batches", Target.ratioAtLeast(0.7)));
      } finally {
        pool.shutdownNow();
      }
      run.note(String.format(Locale.ROOT,
          "%s: %,d single creates, %,d batched (best of " + run.rounds() + " interleaved runs); the baseline table has the same columns and indexes, no trigger (the jobs table's triggers append a CREATED event per job).",
          name(), singles, batched));
    }
  }

  private static void reset(BenchSchema schema) throws Exception {
    schema.execute("TRUNCATE " + schema.table(JOBS) + ", " + schema.table("jobs_quota_ledger") + ", " + schema.table("jobs_events"),
        "TRUNCATE " + schema.table(BASELINE));
    schema.settle(JOBS, BASELINE, "jobs_events");
  }

  /** @return nanoseconds for {@code total} creates split over the threads */
  private static long createOneByOne(ExecutorService pool, JobManager jobs, int total) throws Exception {
    return split(pool, total, (thread, first, count) -> () -> {
      for (int i = 0; i < count; i++) {
        jobs.create(Batches.request(first + i));
      }
      return null;
    });
  }

  /** Like {@link #createOneByOne}, each thread on its own connection, opened before the clock starts. */
  private static long insertOneByOne(ExecutorService pool, PlainInserts plain, int total) throws Exception {
    List<Connection> connections = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        connections.add(plain.connect(false));
      }
      return split(pool, total, (thread, first, count) -> () -> {
        plain.single(connections.get(thread), first, count);
        return null;
      });
    } finally {
      for (Connection c : connections) {
        c.close();
      }
    }
  }

  private interface Slice {
    Callable<Void> task(int thread, int first, int count);
  }

  private static long split(ExecutorService pool, int total, Slice slice) throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    int per = total / THREADS;
    for (int t = 0; t < THREADS; t++) {
      int count = t == THREADS - 1 ? total - per * (THREADS - 1) : per;
      tasks.add(slice.task(t, t * per, count));
    }
    long t0 = System.nanoTime();
    for (Future<Void> f : pool.invokeAll(tasks)) {
      f.get();
    }
    return System.nanoTime() - t0;
  }
}
