package dev.asyncjobs.bench.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * N no-op jobs created (createAll, batches of 1,000) and processed by one worker of concurrency 8
 * on the in-memory store: jobs per second and the JVM's CPU time per job.
 */
final class MemoryThroughputScenario implements Scenario {
  static final int CONCURRENCY = 8;
  private static final int BATCH = 1000;
  private static final Duration LIMIT = Duration.ofMinutes(5);

  @Override
  public String name() {
    return "memory-throughput";
  }

  @Override
  public boolean needsPostgres() {
    return false;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(500_000, 50_000);
    int warm = n / 5;
    run.progress("warm-up with " + warm + " jobs");
    worker(warm);
    // No ratio to a bare ThreadPoolExecutor: that compares a job system (ids, validation, states,
    // events, a store) with a queue hand-off. What a user pays is the rate and the CPU per job.
    long cpu0 = processCpuNanos();
    long nanos = worker(n);
    long cpu = processCpuNanos() - cpu0;
    run.record(Measurement.of(
        "jobs/s, create + process, 1 worker (concurrency " + CONCURRENCY + "), in-memory store", "jobs/s",
        Timing.perSecond(n, nanos)));
    if (cpu0 >= 0) {
      run.record(Measurement.of("CPU time of the whole JVM per job, create + process (all threads, GC included)", "µs",
          cpu / 1000.0 / n));
    }
    run.note(name() + ": " + n + " no-op jobs created with createAll (1,000 a call) and run by one worker.");
  }

  /** This JVM's CPU time so far, all threads; -1 where the platform does not say. */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  /** @return nanoseconds from the first create to the last completion */
  private static long worker(int n) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(n);
    WorkerListener counter = new WorkerListener() {
      @Override
      public void onCompleted(Job job, Duration duration) {
        done.countDown();
      }
    };
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager jobs = NoopGenerator.manager(store, new NoopGenerator());
        JobWorker worker = JobWorker.builder(jobs).concurrency(CONCURRENCY).claimBatchSize(CONCURRENCY).listener(counter).build()) {
      long t0 = System.nanoTime();
      worker.start();
      Batches.createAll(jobs, 0, n, BATCH);
      Timing.await(done, LIMIT, "memory worker");
      return System.nanoTime() - t0;
    }
  }
}
