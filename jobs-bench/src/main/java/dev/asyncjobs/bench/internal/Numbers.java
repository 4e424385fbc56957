package dev.asyncjobs.bench.internal;

import java.util.Locale;

/** How figures are printed: grouped thousands, and fewer decimals the larger the number. */
final class Numbers {
  private Numbers() {}

  static String format(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.1 || a == 0) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
