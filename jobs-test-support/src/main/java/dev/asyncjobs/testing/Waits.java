package dev.asyncjobs.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Waiting on a condition with a deadline: polls until it holds and fails the test with an {@link
 * AssertionError} naming what it waited for (and, if given, the state last seen) instead of
 * hanging or sleeping blindly. It checks at once, then every millisecond, less often as the wait
 * goes on (at most every 50 ms), so a condition that is quick to come true costs little.
 *
 * <pre>{@code
 * Waits.until("the job to complete", Duration.ofSeconds(20),
 *     () -> jobs.get(owner, id).status() == JobStatus.COMPLETED,
 *     () -> jobs.get(owner, id).toString());
 * }</pre>
 */
public final class Waits {
  private static final long FIRST_PAUSE_MILLIS = 1;
  private static final long LONGEST_PAUSE_MILLIS = 50;

  private Waits() {}

  /**
   * A call that may throw a checked exception, for {@link #untilValue} and {@link #untilSucceeds}.
   *
   * @param <T> what it returns
   * @param <E> what it may throw
   */
  @FunctionalInterface
  public interface Call<T extends @Nullable Object, E extends Exception> {
    /**
     * Makes the call.
     *
     * @return its value
     * @throws E when it fails
     */
    T call() throws E;
  }

  /**
   * Waits until {@code condition} holds.
   *
   * @param what what is waited for, for the failure message (e.g. "the job to complete")
   * @param timeout how long to wait at the most
   * @param condition checked at once and then again until it holds
   * @throws AssertionError when it did not hold within {@code timeout}, or the thread was interrupted
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> null);
  }

  /**
   * Waits until {@code condition} holds, reporting {@code state} when it does not.
   *
   * @param what what is waited for, for the failure message
   * @param timeout how long to wait at the most
   * @param condition checked at once and then again until it holds
   * @param state what to add to the failure message: the state last seen (asked only on failure)
   * @throws AssertionError when it did not hold within {@code timeout}, or the thread was interrupted
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<? extends @Nullable Object> state) {
    Objects.requireNonNull(condition, "condition");
    Deadline deadline = Deadline.after(timeout);
    long pause = FIRST_PAUSE_MILLIS;
    while (!condition.getAsBoolean()) {
      if (deadline.hasPassed()) {
        Object seen = state.get();
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + (seen == null ? "" : "; last seen: " + seen));
      }
      pause = pauseBetweenChecks(pause, deadline);
    }
  }

  /**
   * Calls {@code call} until its value matches {@code wanted}, and returns that value.
   *
   * @param <T> the value's type
   * @param <E> what the call may throw
   * @param what what is waited for, for the failure message
   * @param timeout how long to wait at the most
   * @param call made at once and then again until its value matches; an exception ends the wait
   * @param wanted the test of a value
   * @return the first value that matched
   * @throws E when a call throws
   * @throws AssertionError when no value matched within {@code timeout} (the message carries the
   *     last one), or the thread was interrupted
   */
  public static <T extends @Nullable Object, E extends Exception> T untilValue(
      String what, Duration timeout, Call<T, E> call, Predicate<? super T> wanted) throws E {
    Deadline deadline = Deadline.after(timeout);
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      T value = call.call();
      if (wanted.test(value)) {
        return value;
      }
      if (deadline.hasPassed()) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: " + value);
      }
      pause = pauseBetweenChecks(pause, deadline);
    }
  }

  /**
   * Calls {@code call} until it returns instead of throwing a {@code retryOn}, and returns its
   * value: e.g. a call to a database that is coming back after an outage.
   *
   * @param <T> the value's type
   * @param <E> what the call may throw
   * @param what what is waited for, for the failure message
   * @param timeout how long to keep trying
   * @param retryOn the exceptions that mean "not yet" (any other ends the wait at once)
   * @param call made at once and then again until it returns
   * @return the value of the first call that returned
   * @throws E when a call throws an exception that is not a {@code retryOn}
   * @throws AssertionError when every call within {@code timeout} threw a {@code retryOn} (the
   *     last one is the cause), or the thread was interrupted
   */
  public static <T extends @Nullable Object, E extends Exception> T untilSucceeds(
      String what, Duration timeout, Class<? extends Exception> retryOn, Call<T, E> call) throws E {
    Deadline deadline = Deadline.after(timeout);
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      try {
        return call.call();
      } catch (Exception e) {
        if (!retryOn.isInstance(e)) {
          throw e;
        }
        if (deadline.hasPassed()) {
          throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last error: " + e, e);
        }
      }
      pause = pauseBetweenChecks(pause, deadline);
    }
  }

  /**
   * Sleeps, turning an interrupt into a test failure: for spacing out retries a test makes itself.
   *
   * @param duration how long
   * @throws AssertionError when the thread was interrupted (its interrupt flag is set again)
   */
  public static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  /** Sleeps {@code pause} ms (not past the deadline) and returns the next, longer pause. */
  private static long pauseBetweenChecks(long pause, Deadline deadline) {
    pause(Duration.ofMillis(Math.max(1, Math.min(pause, deadline.remaining().toMillis()))));
    return Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
  }
}
