package dev.asyncjobs.bench.internal;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One figure of a scenario, with the baseline measured beside it in the same run.
 *
 * @param metric what was measured, e.g. {@code jobs/s, 1 worker (concurrency 16)}
 * @param unit the unit of value and baseline, e.g. {@code jobs/s} or {@code ms}
 * @param value the figure
 * @param baseline the baseline's figure, or {@code null} when the metric has none
 * @param baselineName what the baseline is, e.g. {@code hand-written SKIP LOCKED loop}
 * @param targets the goals this figure is held to (none for a figure only shown)
 */
public record Measurement(
    String metric,
    String unit,
    double value,
    @Nullable Double baseline,
    @Nullable String baselineName,
    List<Target> targets) {

  /** Checks nullness. */
  public Measurement {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(unit, "unit");
    targets = List.copyOf(targets);
  }

  /** A figure without a baseline. */
  public static Measurement of(String metric, String unit, double value, Target... targets) {
    return new Measurement(metric, unit, value, null, null, List.of(targets));
  }

  /** A figure beside its baseline. */
  public static Measurement versus(
      String metric, String unit, double value, double baseline, String baselineName, Target... targets) {
    return new Measurement(metric, unit, value, baseline, baselineName, List.of(targets));
  }

  /** value / baseline, or {@code null} without a (non-zero) baseline. */
  public @Nullable Double ratio() {
    return baseline == null || baseline == 0 ? null : value / baseline;
  }

  /** Whether every target is met; {@code null} when there is none. */
  public @Nullable Boolean met() {
    if (targets.isEmpty()) {
      return null;
    }
    Double r = ratio();
    return targets.stream().allMatch(t -> t.met(value, r));
  }
}
