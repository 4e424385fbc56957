package dev.asyncjobs;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored schedule and when it next fires.
 *
 * @param schedule the schedule as saved
 * @param nextRunAt the tick the workers fire next (in the past while it is due and not yet fired)
 */
public record ScheduleStatus(Schedule schedule, Instant nextRunAt) {
  /**
   * Checks the components.
   *
   * @param schedule the schedule as saved
   * @param nextRunAt the tick the workers fire next
   */
  public ScheduleStatus {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(nextRunAt, "nextRunAt");
  }
}
