package dev.asyncjobs.reliability.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, checking it every few milliseconds (never a blind sleep). */
public final class Await {
  private static final long CHECK_EVERY_MILLIS = 50;

  private Await() {}

  /**
   * Waits until {@code condition} holds.
   *
   * @param state what to report when the deadline passes (the last seen state)
   * @throws AssertionError when it did not hold within {@code timeout}
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what + "; last seen: " + state.get());
      }
      pause(CHECK_EVERY_MILLIS);
    }
  }

  /** Waits until {@code condition} holds, reporting nothing more than {@code what} on failure. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "(no detail)");
  }

  /** Sleeps between two checks of a condition. */
  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
