package dev.asyncjobs.bench.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waiting with a bound, and rates. */
final class Timing {
  private Timing() {}

  /** Waits for the latch; a bench that hangs is a failed bench, so it throws after {@code limit}. */
  static void await(CountDownLatch latch, Duration limit, String what) throws InterruptedException {
    if (!latch.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(what + ": not done after " + limit.toSeconds() + " s (" + latch.getCount() + " left)");
    }
  }

  /** Events per second. */
  static double perSecond(long count, long nanos) {
    return count * 1e9 / Math.max(1, nanos);
  }
}
