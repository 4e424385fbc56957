package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open loop, the way an application runs: producer threads call {@code create()} one by one at a
 * fixed rate while one worker (concurrency 16, claims of 16) consumes, for a while at each of 25, 50,
 * 75, 100 and 125 % of the capacity measured first in the same run (producers creating as fast as
 * they can while the worker runs). No maintenance between steps, autovacuum at the server's
 * defaults. Per step: completions per second, pickup latency (claim time minus create time, both
 * the database's clock) p50/p99/max of that step's jobs, and the deepest and the final queue.
 *
 * <p>For experiments: {@code -Dsteady.stepSeconds} (default 60, 3 with {@code --quick}) and {@code
 * -Dsteady.pollMillis} (the worker's poll interval, default 1000).
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
    Duration step = Duration.ofSeconds(Long.getLong("steady.stepSeconds", run.size(60, 3)));
    try (BenchSchema schema = run.pg().newSchema(name(), PRODUCERS + 8)) {
      PostgresJobStore store = schema.store();
      JobManager jobs = NoopGenerator.manager(store, new NoopGenerator());
      try (JobWorker worker = JobWorker.builder(jobs).concurrency(ThroughputRig.CONCURRENCY).claimBatchSize(ThroughputRig.BATCH)
          .pollInterval(Duration.ofMillis(Long.getLong("steady.pollMillis", 1000))).build().start()) {
        closedLoop(jobs, "steady-warm-up", Duration.ofSeconds(run.size(5, 1)));
        awaitDrained(schema);
        double capacity = closedLoop(jobs, "steady-capacity", Duration.ofSeconds(run.size(20, 2)));
        awaitDrained(schema);
        run.progress(String.format(Locale.ROOT, "capacity: %,.0f jobs/s created and run (producers flat out)", capacity));
        run.record(Measurement.of("capacity: jobs/s created one by one by " + PRODUCERS + " threads as fast as they can, while 1 worker runs them",
            "jobs/s", capacity));
        for (int pct : PERCENTS) {
          step(run, schema, jobs, pct, capacity * pct / 100, step);
        }
      } finally {
        jobs.close();
        store.close();
      }
    }
    run.note(name() + ": " + step.toSeconds() + " s per step, " + PRODUCERS + " producer threads, 1 worker in the bench JVM;"
        + " latency from each job's created_at to its started_at (the database's clock); depth sampled every 250 ms.");
  }

  private static void step(ScenarioRun run, BenchSchema schema, JobManager jobs, int pct, double rate, Duration length)
      throws Exception {
    String owner = "steady-" + pct;
    AtomicLong maxDepth = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        try {
          maxDepth.accumulateAndGet(pending(schema), Math::max);
        } catch (SQLException e) {
          return;
        }
        LockSupport.parkNanos(250_000_000L);
      }
    }, "steady-depth");
    sampler.start();
    long created;
    long completed;
    double seconds;
    try {
      long before = finished(schema);
      long t0 = System.nanoTime();
      created = openLoop(jobs, owner, rate, length);
      seconds = (System.nanoTime() - t0) / 1e9;
      completed = finished(schema) - before;
    } finally {
      sampling.set(false);
      sampler.join();
    }
    long endDepth = pending(schema);
    awaitDrained(schema);
    String at = pct + " % of capacity (" + String.format(Locale.ROOT, "%,.0f", rate) + " jobs/s offered)";
    run.record(Measurement.of("completions/s at " + at + "; created " + String.format(Locale.ROOT, "%,.0f", created / seconds) + "/s",
        "jobs/s", completed / seconds));
    List<Double> p = latencies(schema, owner);
    run.record(pct == 75
        ? Measurement.of("pickup latency p50 at " + at, "ms", p.get(0), Target.below(25))
        : Measurement.of("pickup latency p50 at " + at, "ms", p.get(0)));
    run.record(pct == 75
        ? Measurement.of("pickup latency p99 at " + at, "ms", p.get(1), Target.below(50))
        : Measurement.of("pickup latency p99 at " + at, "ms", p.get(1)));
    run.record(Measurement.of("pickup latency max at " + at, "ms", p.get(2)));
    run.record(Measurement.of("queue depth at the end of the step, at " + at, "jobs", endDepth));
    run.record(Measurement.of("queue depth, deepest, at " + at, "jobs", maxDepth.get()));
  }

  /** Producers create as fast as they can for {@code length}. @return jobs created per second */
  private static double closedLoop(JobManager jobs, String owner, Duration length) throws InterruptedException {
    AtomicLong made = new AtomicLong();
    long end = System.nanoTime() + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < PRODUCERS; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        for (int i = 0; System.nanoTime() < end; i++) {
          jobs.create(request(owner, id * 1_000_000 + i));
          made.incrementAndGet();
        }
      }, "steady-producer-" + t);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    return Timing.perSecond(made.get(), System.nanoTime() - t0);
  }

  /**
   * Producers create at {@code rate} in all, each on its own schedule (job i of producer k due at
   * {@code (k + i * PRODUCERS) / rate}); one that falls behind creates at once, never skipping a job.
   *
   * @return how many jobs were created
   */
  private static long openLoop(JobManager jobs, String owner, double rate, Duration length) throws InterruptedException {
    long total = (long) (rate * length.toSeconds());
    double gapNanos = 1e9 / rate;
    long t0 = System.nanoTime();
    AtomicLong made = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < PRODUCERS; t++) {
      int k = t;
      Thread th = new Thread(() -> {
        for (long n = k; n < total; n += PRODUCERS) {
          long due = t0 + (long) (n * gapNanos);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          jobs.create(request(owner, (int) n));
          made.incrementAndGet();
        }
      }, "steady-producer-" + t);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    return made.get();
  }

  private static JobRequest request(String owner, int seq) {
    return JobRequest.builder(owner, NoopGenerator.TYPE).payload(NoopGenerator.payload(seq)).build();
  }

  private static long pending(BenchSchema schema) throws SQLException {
    return schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'PENDING'");
  }

  private static long finished(BenchSchema schema) throws SQLException {
    return schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'");
  }

  private static void awaitDrained(BenchSchema schema) throws Exception {
    long end = System.nanoTime() + DRAIN_LIMIT.toNanos();
    while (schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status IN ('PENDING', 'PROCESSING')") > 0) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the queue did not drain within " + DRAIN_LIMIT);
      }
      LockSupport.parkNanos(50_000_000L);
    }
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
