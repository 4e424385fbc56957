package dev.asyncjobs.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, for tests of threads: fails the test instead of hanging. */
final class Await {
  /** Long enough for a loaded 2-core build machine; a passing test returns far sooner. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private Await() {}

  /** Returns as soon as {@code condition} holds; throws {@link AssertionError} naming {@code what} after {@link #DEADLINE}. */
  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + DEADLINE.toSeconds() + " s waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }
}
