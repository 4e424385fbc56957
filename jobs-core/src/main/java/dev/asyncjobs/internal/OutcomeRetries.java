package dev.asyncjobs.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When to write an attempt's result again after the store refused the write for a reason other
 * than a lost lease (the database was down or read-only): the result is kept and written again,
 * 100 ms later, then twice as long each time up to 2 s, for as long as the worker runs. Retrying
 * is safe however long it takes: the write is fenced by the lease, so once another worker has
 * rescued the job it is refused as a lost lease, and the retries end. Only once the worker stops
 * (its grace period over) is a result given up, and its lease left to expire.
 */
final class OutcomeRetries {
  private static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long LONGEST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ScheduledExecutorService timer;
  private volatile boolean stopped;

  OutcomeRetries(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** {@return the pause before try number {@code tries + 1}, {@code tries} writes having failed} */
  static long delayNanos(int tries) {
    int doublings = Math.min(Math.max(0, tries - 1), 20);
    return Math.min(LONGEST_DELAY_NANOS, FIRST_DELAY_NANOS << doublings);
  }

  /**
   * Runs {@code again} after the pause for {@code tries} failed writes, or {@code giveUp} when the
   * retries were stopped meanwhile. {@return false when no retry was scheduled (stopped, or the
   * timer is shut down): the caller gives up now}
   */
  boolean schedule(int tries, Runnable again, Runnable giveUp) {
    if (stopped) {
      return false;
    }
    try {
      timer.schedule(() -> (stopped ? giveUp : again).run(), delayNanos(tries), TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException shutDown) {
      return false;
    }
  }

  /** The worker's grace period is over: the retries due from now on give up instead. */
  void stop() {
    stopped = true;
  }
}
