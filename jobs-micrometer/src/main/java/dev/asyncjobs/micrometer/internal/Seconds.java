package dev.asyncjobs.micrometer.internal;

import java.time.Duration;

/** Durations as the seconds a gauge reads (Prometheus' base unit of time). */
final class Seconds {
  private Seconds() {}

  /**
   * {@return {@code d} in seconds, with its fraction}
   *
   * @param d a duration
   */
  static double of(Duration d) {
    // Not toNanos(): it overflows for durations a clock set far off can produce.
    return d.getSeconds() + d.getNano() / 1e9;
  }
}
