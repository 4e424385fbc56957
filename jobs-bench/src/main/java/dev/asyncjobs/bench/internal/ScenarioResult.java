package dev.asyncjobs.bench.internal;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one scenario went.
 *
 * @param name the scenario
 * @param status ran, skipped (PostgreSQL unreachable) or failed
 * @param reason why it was skipped or failed, else {@code null}
 * @param seconds how long it took, set-up included
 * @param measurements its figures (those taken before a failure, too)
 * @param notes what a reader of the figures should know, e.g. sizes
 * @param series figures over time, for the charts
 */
public record ScenarioResult(
    String name, Status status, @Nullable String reason, double seconds, List<Measurement> measurements, List<String> notes,
    List<Series> series) {

  /** How a scenario ended. */
  public enum Status {
    /** It ran to the end. */
    OK,
    /** It needs PostgreSQL, which was unreachable. */
    SKIPPED,
    /** It threw; the reason says what. */
    FAILED
  }

  /** Checks nullness. */
  public ScenarioResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    measurements = List.copyOf(measurements);
    notes = List.copyOf(notes);
    series = List.copyOf(series);
  }
}
