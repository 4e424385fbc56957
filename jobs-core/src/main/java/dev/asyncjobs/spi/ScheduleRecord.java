package dev.asyncjobs.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A schedule as a store keeps it: the store reads none of it but the name and the next run.
 *
 * @param name unique per store
 * @param definition what the schedule does, written and read by jobs-core (JSON)
 * @param nextRunAt the tick to fire next
 * @param state what the last tick left for the next, or {@code null}
 */
public record ScheduleRecord(String name, String definition, Instant nextRunAt, @Nullable String state) {
  /**
   * Checks the components.
   *
   * @param name unique per store
   * @param definition what the schedule does
   * @param nextRunAt the tick to fire next
   * @param state what the last tick left for the next, or {@code null}
   */
  public ScheduleRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(nextRunAt, "nextRunAt");
  }
}
