package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** pg-steady's producers: threads that call {@code create()} one job at a time, as an application does. */
final class SteadyProducers {
  private final JobManager jobs;
  private final int threads;

  SteadyProducers(JobManager jobs, int threads) {
    this.jobs = jobs;
    this.threads = threads;
  }

  /** Every thread creates as fast as it can for {@code nanos}. @return how many jobs were created */
  long flatOut(String owner, long nanos) throws InterruptedException {
    AtomicLong made = new AtomicLong();
    long end = System.nanoTime() + nanos;
    runThreads(k -> {
      for (int i = 0; System.nanoTime() < end; i++) {
        jobs.create(Batches.request(owner, k * 1_000_000 + i));
        made.incrementAndGet();
      }
    });
    return made.get();
  }

  /**
   * The threads create at {@code rate} in all for {@code seconds}, each on its own schedule (job n
   * of thread k due at {@code n / rate}, n ≡ k modulo the thread count); a thread that falls behind
   * creates at once, never skipping a job, so an overloaded system shows as a lower created rate.
   *
   * @return how many jobs were created
   */
  long atRate(String owner, double rate, long seconds) throws InterruptedException {
    long total = (long) (rate * seconds);
    double gapNanos = 1e9 / rate;
    long t0 = System.nanoTime();
    AtomicLong made = new AtomicLong();
    runThreads(k -> {
      for (long n = k; n < total; n += threads) {
        long wait = t0 + (long) (n * gapNanos) - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        jobs.create(Batches.request(owner, (int) n));
        made.incrementAndGet();
      }
    });
    return made.get();
  }

  private interface Body {
    void run(int thread);
  }

  private void runThreads(Body body) throws InterruptedException {
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int k = t;
      Thread th = new Thread(() -> body.run(k), "steady-producer-" + t);
      started.add(th);
      th.start();
    }
    for (Thread th : started) {
      th.join();
    }
  }
}
