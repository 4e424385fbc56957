package dev.asyncjobs.bench.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * N no-op jobs created (createAll, batches of 1,000) and processed by one worker of concurrency 8
 * on the in-memory store, against the same N no-op tasks on a bare {@code ThreadPoolExecutor(8)}.
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
    executor(warm);
    double bare = Timing.perSecond(n, executor(n));
    double ours = Timing.perSecond(n, worker(n));
    run.record(Measurement.versus(
        "jobs/s, create + process, 1 worker (concurrency " + CONCURRENCY + ") vs bare ThreadPoolExecutor(" + CONCURRENCY + ")",
        "jobs/s", ours, bare, "ThreadPoolExecutor(8), no-op tasks", Target.ratioAtLeast(0.25)));
    run.note(name() + ": " + n + " jobs; the executor runs the same number of no-op Runnables.");
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

  /** @return nanoseconds from the first submit to the last task's end */
  private static long executor(int n) throws InterruptedException {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(CONCURRENCY, CONCURRENCY, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    try {
      pool.prestartAllCoreThreads();
      CountDownLatch done = new CountDownLatch(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        pool.execute(done::countDown);
      }
      Timing.await(done, LIMIT, "bare executor");
      return System.nanoTime() - t0;
    } finally {
      pool.shutdownNow();
    }
  }
}
