package dev.asyncjobs.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When to write an attempt's result again after the store refused the write for a reason other
 * than a lost lease (the database was down or read-only): the result is kept and written again,
 * 100 ms later, then twice as long each time up to 2 s, for as long as the worker runs. Retrying
 * is safe however long it takes: the write is fenced by the lease, so once another worker has
 * rescued the job it is refused as a lost lease, and the retries end. Only failures of the store
 * itself ({@code JobStoreException}) are retried: a refusal of the result (a value the database
 * cannot take) would be refused again. Only once the worker stops (its grace period over) is a
 * result given up, and its lease left to expire.
 */
final class OutcomeRetries {
  private static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long LONGEST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ScheduledExecutorService timer;
  /** The retries scheduled and not yet run, each with what giving it up does. */
  private final Map<Object, Runnable> pending = new ConcurrentHashMap<>();
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
    Object token = new Object();
    pending.put(token, giveUp);
    try {
      timer.schedule(() -> {
        if (pending.remove(token) != null) {
          (stopped ? giveUp : again).run();
        }
      }, delayNanos(tries), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      pending.remove(token);
      return false;
    }
    if (stopped && pending.remove(token) != null) {
      return false; // stopped meanwhile, and not given up by stop(): the caller gives up
    }
    return true;
  }

  /**
   * The worker's grace period is over, or it is shutting down: every retry still waiting gives up
   * now (on this thread), and none is scheduled any more. Idempotent.
   */
  void stop() {
    stopped = true;
    for (Object token : pending.keySet()) {
      Runnable giveUp = pending.remove(token);
      if (giveUp != null) {
        giveUp.run();
      }
    }
  }
}
