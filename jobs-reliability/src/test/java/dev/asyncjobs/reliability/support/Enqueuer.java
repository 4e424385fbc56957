package dev.asyncjobs.reliability.support;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Creates jobs on a thread of its own, in batches spread evenly over a duration, so that the work
 * keeps arriving while the test kills things. A batch that fails with {@link JobStoreException}
 * (the database is away) is sent again until it succeeds, as a careful client would: give the
 * requests idempotency keys, and a batch that was stored before the connection dropped is not
 * stored twice. {@link #await} rethrows any other failure.
 */
public final class Enqueuer implements AutoCloseable {
  private static final int BATCH = 250;
  private static final long RESEND_PAUSE_MILLIS = 200;

  private final Thread thread;
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger resent = new AtomicInteger();
  private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
  private volatile boolean stopped;

  private Enqueuer(JobManager jobs, int count, Duration over, IntFunction<JobRequest> request) {
    this.thread = new Thread(() -> run(jobs, count, over, request), "enqueuer");
    this.thread.setDaemon(true);
  }

  /** Starts creating {@code count} jobs, the {@code i}-th being {@code request.apply(i)}, over {@code over}. */
  public static Enqueuer start(JobManager jobs, int count, Duration over, IntFunction<JobRequest> request) {
    Enqueuer e = new Enqueuer(jobs, count, over, request);
    e.thread.start();
    return e;
  }

  private void run(JobManager jobs, int count, Duration over, IntFunction<JobRequest> request) {
    long start = System.nanoTime();
    int batches = (count + BATCH - 1) / BATCH;
    try {
      for (int b = 0; b < batches && !stopped; b++) {
        // batch b is due at start + over * b / batches: a steady pace, not a burst
        long due = start + over.toNanos() * b / batches;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        List<JobRequest> batch = new ArrayList<>(BATCH);
        for (int i = b * BATCH; i < Math.min(count, (b + 1) * BATCH); i++) {
          batch.add(request.apply(i));
        }
        createResending(jobs, batch);
        created.addAndGet(batch.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  private void createResending(JobManager jobs, List<JobRequest> batch) throws InterruptedException {
    while (true) {
      try {
        jobs.createAll(batch);
        return;
      } catch (JobStoreException e) {
        resent.incrementAndGet();
        Thread.sleep(RESEND_PAUSE_MILLIS);
      }
    }
  }

  /** How many times a batch was sent again after the store failed. */
  public int resent() {
    return resent.get();
  }

  /** Jobs created so far. */
  public int created() {
    return created.get();
  }

  /** Waits until every job is created; rethrows the failure that stopped it. */
  public void await(Duration timeout) throws InterruptedException {
    thread.join(timeout.toMillis());
    Throwable t = failure.get();
    if (t != null) {
      throw new AssertionError("creating jobs failed after " + created() + " jobs", t);
    }
    if (thread.isAlive()) {
      throw new AssertionError("creating jobs took longer than " + timeout + "; created " + created());
    }
  }

  /** Stops creating. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
