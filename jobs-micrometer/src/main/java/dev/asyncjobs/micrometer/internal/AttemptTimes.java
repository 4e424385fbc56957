package dev.asyncjobs.micrometer.internal;

import dev.asyncjobs.Job;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * When each attempt that runs on this process started, so that the listener call that reports how
 * it ended (which carries no duration except for a completion) can time it. Measured with a
 * monotonic clock, not the store's: a timer must not jump with the wall clock.
 */
public final class AttemptTimes {
  /**
   * Above this many entries, entries older than {@link #STALE_NANOS} are dropped. An entry is left
   * behind only when an attempt's outcome could not be written (the job is then rescued, perhaps by
   * another process); a worker never runs this many attempts at once.
   */
  static final int SWEEP_ABOVE = 10_000;

  static final long STALE_NANOS = TimeUnit.DAYS.toNanos(1);

  private record Started(int attempt, long nanos) {}

  private final ConcurrentMap<UUID, Started> started = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  /**
   * Attempt times read from {@code nanoTime}.
   *
   * @param nanoTime a monotonic clock in nanoseconds, {@code System::nanoTime}
   */
  public AttemptTimes(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * An attempt of {@code job} starts now.
   *
   * @param job the job as claimed
   */
  public void started(Job job) {
    long now = nanoTime.getAsLong();
    started.put(job.id(), new Started(job.attempts(), now));
    if (started.size() > SWEEP_ABOVE) {
      started.values().removeIf(s -> now - s.nanos() > STALE_NANOS);
    }
  }

  /**
   * {@return how long the attempt of {@code job} ran, and forgets it; {@code null} when this
   * process did not see it start}
   *
   * @param job the job after the attempt
   */
  public @Nullable Duration ended(Job job) {
    Started s = started.get(job.id());
    // Another attempt's entry (the job was rescued and started again meanwhile) is left alone.
    if (s == null || s.attempt() != job.attempts() || !started.remove(job.id(), s)) {
      return null;
    }
    return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - s.nanos()));
  }

  /**
   * Forgets the attempt of {@code job}: it ended without a timed outcome.
   *
   * @param job the job
   */
  public void forget(Job job) {
    started.computeIfPresent(job.id(), (id, s) -> s.attempt() == job.attempts() ? null : s);
  }

  /** {@return attempts started and not ended} */
  public int size() {
    return started.size();
  }
}
