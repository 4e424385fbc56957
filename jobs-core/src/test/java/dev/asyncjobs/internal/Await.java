package dev.asyncjobs.internal;

import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The deadline of this package's tests of threads, and {@link Waits#until} with it: fails the test instead of hanging. */
final class Await {
  /** Long enough for a loaded 2-core build machine; a passing test returns far sooner. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private Await() {}

  /** Returns as soon as {@code condition} holds; throws {@link AssertionError} naming {@code what} after {@link #DEADLINE}. */
  static void until(String what, BooleanSupplier condition) {
    Waits.until(what, DEADLINE, condition);
  }
}
