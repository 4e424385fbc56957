package dev.asyncjobs.internal;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WorkerProgress;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces one attempt's progress reports: at most one store write per interval, always of the
 * latest value, and the last value written by {@link #flush()} before the attempt's outcome. A
 * generator may report thousands of times a second without loading the store.
 *
 * <p>A report that arrives within the interval of the last write is kept and written later by a
 * timer task, so that a generator that reports and then works silently for a minute is still shown
 * at its latest value. Without a timer (the manual worker) the kept value waits for the next report
 * or the final flush.
 */
final class ProgressReporter {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

  private final JobStore store;
  private final Lease lease;
  private final WriteSchedule schedule;
  private final Consumer<RuntimeException> onDeferredFailure;

  private int latest;
  private @Nullable String latestMessage;
  private boolean dirty;

  /**
   * @param onDeferredFailure told when a write from the timer fails (e.g. the lease was lost)
   */
  ProgressReporter(
      JobStore store,
      Lease lease,
      long intervalNanos,
      LongSupplier nanoTime,
      @Nullable ScheduledExecutorService timer,
      Consumer<RuntimeException> onDeferredFailure) {
    this.store = store;
    this.lease = lease;
    this.schedule = new WriteSchedule(intervalNanos, nanoTime, timer, this::deferredFlush);
    this.onDeferredFailure = onDeferredFailure;
  }

  /**
   * Takes a report; writes it now when the interval since the last write has passed.
   *
   * @throws InvalidRequestException outside 0–100 or below an earlier report of this attempt
   * @throws LeaseLostException the write was refused because the lease is gone
   */
  synchronized void report(int percent, @Nullable String message) {
    if (percent < 0 || percent > 100) {
      throw new InvalidRequestException("progress", "progress must be 0-100, was " + percent);
    }
    if (percent < latest) {
      throw new InvalidRequestException(
          "progress", "progress must not go backwards within an attempt: " + percent + " after " + latest);
    }
    if (percent == latest && Objects.equals(message, latestMessage)) {
      return;
    }
    latest = percent;
    latestMessage = message;
    dirty = true;
    if (schedule.writeNow()) {
      write();
    }
  }

  /**
   * Writes the kept value, if any, now.
   *
   * @throws LeaseLostException the write was refused because the lease is gone
   */
  synchronized void flush() {
    schedule.cancel();
    if (dirty) {
      write();
    }
  }

  /** Stops deferred writes: the attempt is over. */
  synchronized void close() {
    schedule.close();
  }

  /** The latest value reported (written or not). */
  synchronized int latest() {
    return latest;
  }

  private void write() {
    schedule.written();
    try {
      store.reportProgress(new WorkerProgress(lease, latest, latestMessage));
      dirty = false;
    } catch (LeaseLostException | InvalidRequestException e) {
      dirty = false;
      throw e;
    } catch (RuntimeException e) {
      // Progress is best effort: a store hiccup must not fail the attempt. The value stays dirty
      // and is written with the next report or the final flush.
      LOG.warn("could not write progress {} of job {}; will retry: {}", latest, lease.jobId(), e.toString());
    }
  }

  private synchronized void deferredFlush() {
    if (!schedule.deferredIsDue() || !dirty) {
      return;
    }
    try {
      write();
    } catch (RuntimeException e) {
      onDeferredFailure.accept(e);
    }
  }
}
