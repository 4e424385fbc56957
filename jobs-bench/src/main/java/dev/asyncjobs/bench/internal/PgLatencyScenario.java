package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Pickup latency of an idle worker with the default poll interval: jobs created one at a time,
 * each after the previous one started and a short gap, timed from the moment {@code create}
 * returned (its commit done) to the moment the generator started. On PostgreSQL twice: the worker
 * in a second JVM (what a web node and a worker node see), and in the same JVM; and on the
 * in-memory store.
 */
final class PgLatencyScenario implements Scenario {
  private static final long GAP_MILLIS = 5;
  private static final Duration START_LIMIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return "pg-latency";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int count = run.size(1000, 200);
    int warm = run.size(200, 50);
    try (BenchSchema schema = run.pg().newSchema(name(), 10); PostgresJobStore store = schema.store()) {
      run.progress("PostgreSQL, worker in a second JVM: " + warm + " warm-up jobs, then " + count);
      record(run, "PostgreSQL, create() in one JVM, worker in another", acrossProcesses(run, schema, store, warm, count), 5, 25);
      run.progress("PostgreSQL, worker in this JVM: " + warm + " warm-up jobs, then " + count);
      record(run, "PostgreSQL, one JVM", measure(store, warm, count), 0, 0);
    }
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      run.progress("in-memory: " + warm + " warm-up jobs, then " + count);
      record(run, "in-memory", measure(store, warm, count), 0, 0);
    }
    run.note(name() + ": " + count + " jobs after " + warm + " warm-up jobs, " + GAP_MILLIS
        + " ms apart, default worker settings (poll interval 1 s); a job that started before create() returned counts as 0;"
        + " across JVMs both read System.nanoTime(), the machine's monotonic clock.");
  }

  private static void record(ScenarioRun run, String store, Percentiles p, double p50Target, double p99Target) {
    boolean targets = p50Target > 0;
    run.record(targets
        ? Measurement.of("pickup latency p50, " + store, "ms", millis(p.at(50)), Target.below(p50Target))
        : Measurement.of("pickup latency p50, " + store, "ms", millis(p.at(50))));
    run.record(targets
        ? Measurement.of("pickup latency p99, " + store, "ms", millis(p.at(99)), Target.below(p99Target))
        : Measurement.of("pickup latency p99, " + store, "ms", millis(p.at(99))));
    run.record(Measurement.of("pickup latency max, " + store, "ms", millis(p.max())));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  /** @return the latencies of the {@code count} jobs after the warm-up, in nanoseconds */
  private static Percentiles measure(JobStore store, int warm, int count) throws Exception {
    int total = warm + count;
    AtomicLongArray started = new AtomicLongArray(total);
    CountDownLatch[] latches = new CountDownLatch[total];
    for (int i = 0; i < total; i++) {
      latches[i] = new CountDownLatch(1);
    }
    NoopGenerator probe = new NoopGenerator(seq -> {
      started.set(seq, System.nanoTime());
      latches[seq].countDown();
    });
    long[] latency = new long[count];
    try (JobManager jobs = NoopGenerator.manager(store, probe)) {
      JobWorker worker = JobWorker.builder(jobs).build().start();
      try {
        createOneAtATime(jobs, warm, started, latches, latency);
      } finally {
        worker.close();
      }
    }
    return new Percentiles(latency);
  }

  /** @return the latencies, in nanoseconds, of jobs created here and started by a worker in a second JVM */
  private static Percentiles acrossProcesses(ScenarioRun run, BenchSchema schema, PostgresJobStore store, int warm, int count)
      throws Exception {
    long[] latency = new long[count];
    try (SecondWorkerProcess second = SecondWorkerProcess.start(schema.server(), schema.name(), 4, 16);
        JobManager jobs = NoopGenerator.manager(store, new NoopGenerator())) {
      second.startPickupWorker();
      for (int i = 0; i < warm + count; i++) {
        jobs.create(Batches.request(i));
        long committed = System.nanoTime();
        String[] started = second.nextTiming(START_LIMIT.toSeconds());
        if (Integer.parseInt(started[1]) != i) {
          throw new IllegalStateException("the second JVM started job " + started[1] + ", expected " + i);
        }
        if (i >= warm) {
          latency[i - warm] = Math.max(0, Long.parseLong(started[2]) - committed);
        }
        Thread.sleep(GAP_MILLIS);
      }
      second.stopWorker();
    }
    return new Percentiles(latency);
  }

  private static void createOneAtATime(
      JobManager jobs, int warm, AtomicLongArray started, CountDownLatch[] latches, long[] latency) throws InterruptedException {
    for (int i = 0; i < latches.length; i++) {
      jobs.create(Batches.request(i));
      long committed = System.nanoTime();
      Timing.await(latches[i], START_LIMIT, "job " + i);
      if (i >= warm) {
        latency[i - warm] = Math.max(0, started.get(i) - committed);
      }
      Thread.sleep(GAP_MILLIS);
    }
  }
}
