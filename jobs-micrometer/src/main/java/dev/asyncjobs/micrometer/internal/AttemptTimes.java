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

  /**
   * One attempt: keyed by its number too, since the next attempt of a job may start here before the
   * listener hears how this one ended (a retry claimed at once, by a claim that went with a
   * completion).
   */
  private record Key(UUID jobId, int attempt) {}

  private final ConcurrentMap<Key, Long> started = new ConcurrentHashMap<>();
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
    started.put(new Key(job.id(), job.attempts()), now);
    if (started.size() > SWEEP_ABOVE) {
      started.values().removeIf(s -> now - s > STALE_NANOS);
    }
  }

  /**
   * {@return how long the attempt of {@code job} ran, and forgets it; {@code null} when this
   * process did not see it start}
   *
   * @param job the job after the attempt
   */
  public @Nullable Duration ended(Job job) {
    // Another attempt's entry (the job was retried or rescued and started again meanwhile) is left alone.
    Long s = started.remove(new Key(job.id(), job.attempts()));
    if (s == null) {
      return null;
    }
    return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - s));
  }

  /**
   * Forgets the attempt of {@code job}: it ended without a timed outcome.
   *
   * @param job the job
   */
  public void forget(Job job) {
    started.remove(new Key(job.id(), job.attempts()));
  }

  /** {@return attempts started and not ended} */
  public int size() {
    return started.size();
  }
}
