package dev.asyncjobs.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * A point in time a wait must not pass, on {@link System#nanoTime()}: for the loops {@link Waits}
 * does not cover (waiting on a {@code Condition} or a queue with the time that is left).
 *
 * <pre>{@code
 * Deadline deadline = Deadline.after(Duration.ofSeconds(10));
 * while (!done()) {
 *   if (deadline.hasPassed()) {
 *     throw new AssertionError("not done within " + deadline.timeout());
 *   }
 *   arrived.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
 * }
 * }</pre>
 */
public final class Deadline {
  private final Duration timeout;
  private final long endNanos;

  private Deadline(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.endNanos = System.nanoTime() + timeout.toNanos();
  }

  /**
   * The deadline {@code timeout} from now.
   *
   * @param timeout how long from now; zero or negative gives a deadline that has passed
   * @return the deadline
   */
  public static Deadline after(Duration timeout) {
    return new Deadline(timeout);
  }

  /**
   * The timeout the deadline was made with, for failure messages.
   *
   * @return the timeout given to {@link #after(Duration)}
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Whether the deadline has passed.
   *
   * @return true once {@link #remainingNanos()} is zero
   */
  public boolean hasPassed() {
    return remainingNanos() == 0;
  }

  /**
   * The time left, in nanoseconds, for timed waits.
   *
   * @return the nanoseconds until the deadline, never negative
   */
  public long remainingNanos() {
    return Math.max(0, endNanos - System.nanoTime());
  }

  /**
   * The time left.
   *
   * @return the time until the deadline, never negative
   */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }
}
