package dev.asyncjobs.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * When a coalescing writer (progress, streamed output) writes: the first time at once, then at
 * most once per interval; what arrives within the interval waits for a timer task, so that a
 * generator that reports and then works silently for a minute is still shown at its latest state.
 * Without a timer (the manual worker) kept values wait for the next call or the final flush. Not
 * thread-safe: the writer calls it under its own lock, the timer task too.
 */
final class WriteSchedule {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final @Nullable ScheduledExecutorService timer;
  private final Runnable deferredWrite;

  private boolean everWritten;
  private long lastWriteNanos;
  private @Nullable ScheduledFuture<?> deferred;
  private boolean closed;

  /**
   * @param deferredWrite what the timer runs once a kept value is due (the writer's own method,
   *     which takes its lock and asks {@link #deferredIsDue()})
   */
  WriteSchedule(long intervalNanos, LongSupplier nanoTime, @Nullable ScheduledExecutorService timer, Runnable deferredWrite) {
    this.intervalNanos = intervalNanos;
    this.nanoTime = nanoTime;
    this.timer = timer;
    this.deferredWrite = deferredWrite;
  }

  /**
   * {@return whether to write now} When not, a deferred write is scheduled (one at a time) for the
   * end of the interval of the last write.
   */
  boolean writeNow() {
    long now = nanoTime.getAsLong();
    long due = lastWriteNanos + intervalNanos;
    if (!everWritten || now - due >= 0) {
      cancel();
      return true;
    }
    schedule(due - now);
    return false;
  }

  /** Records a write made now (whether the store took it or not: the interval counts from here). */
  void written() {
    lastWriteNanos = nanoTime.getAsLong();
    everWritten = true;
  }

  /**
   * For the timer task: {@return whether the deferred write is due} A write made meanwhile (the
   * generator's, while the task waited for the lock) moves it on by that write's interval.
   */
  boolean deferredIsDue() {
    deferred = null;
    if (closed) {
      return false;
    }
    long due = lastWriteNanos + intervalNanos;
    long now = nanoTime.getAsLong();
    if (now - due < 0) {
      schedule(due - now);
      return false;
    }
    return true;
  }

  /** Drops the deferred write, if any (the writer writes now). */
  void cancel() {
    if (deferred != null) {
      deferred.cancel(false);
      deferred = null;
    }
  }

  /** No deferred write any more: the attempt is over. */
  void close() {
    closed = true;
    cancel();
  }

  private void schedule(long delayNanos) {
    if (timer == null || deferred != null || closed) {
      return;
    }
    try {
      deferred = timer.schedule(deferredWrite, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // The worker is closing; the final flush (if the attempt still ends normally) writes the value.
    }
  }
}
