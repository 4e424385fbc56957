package dev.asyncjobs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a running job waits ({@link JobContext#sleep(Duration)}). The worker's default really sleeps;
 * tests inject one that advances a test clock and returns at once, so that generators that pause
 * (polling a remote task, pacing themselves) are tested without real waits.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Waits for {@code duration}; returns at once when it is zero or negative.
   *
   * @param duration how long to wait
   * @throws InterruptedException when the thread is interrupted (cancellation, timeout, shutdown)
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * Sleeps the calling thread for real.
   *
   * @return the system sleeper
   */
  static Sleeper system() {
    return duration -> {
      if (duration.isNegative() || duration.isZero()) {
        return;
      }
      long nanos;
      try {
        nanos = duration.toNanos();
      } catch (ArithmeticException tooLong) {
        nanos = Long.MAX_VALUE;
      }
      TimeUnit.NANOSECONDS.sleep(nanos);
    };
  }
}
