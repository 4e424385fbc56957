package dev.asyncjobs.bench.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A goal a measurement is held to: a floor on its ratio to the baseline, or a floor or ceiling on
 * its value.
 *
 * @param kind what is compared
 * @param threshold the limit
 */
public record Target(Kind kind, double threshold) {

  /** What a target compares. */
  public enum Kind {
    /** value / baseline must be at least the threshold. */
    RATIO_AT_LEAST,
    /** the value must be at least the threshold. */
    VALUE_AT_LEAST,
    /** the value must be below the threshold. */
    VALUE_BELOW
  }

  /** Checks nullness. */
  public Target {
    Objects.requireNonNull(kind, "kind");
  }

  /** value / baseline ≥ {@code ratio}. */
  public static Target ratioAtLeast(double ratio) {
    return new Target(Kind.RATIO_AT_LEAST, ratio);
  }

  /** value ≥ {@code min}. */
  public static Target atLeast(double min) {
    return new Target(Kind.VALUE_AT_LEAST, min);
  }

  /** value &lt; {@code max}. */
  public static Target below(double max) {
    return new Target(Kind.VALUE_BELOW, max);
  }

  /** Whether a measurement meets this target; a ratio target without a ratio is not met. */
  public boolean met(double value, @Nullable Double ratio) {
    return switch (kind) {
      case RATIO_AT_LEAST -> ratio != null && ratio >= threshold;
      case VALUE_AT_LEAST -> value >= threshold;
      case VALUE_BELOW -> value < threshold;
    };
  }

  /** How the target reads in the table, e.g. {@code ≥ 0.8×} or {@code < 5 ms}. */
  public String describe(String unit) {
    return switch (kind) {
      case RATIO_AT_LEAST -> "≥ " + Numbers.format(threshold) + "×";
      case VALUE_AT_LEAST -> "≥ " + Numbers.format(threshold) + " " + unit;
      case VALUE_BELOW -> "< " + Numbers.format(threshold) + " " + unit;
    };
  }
}
