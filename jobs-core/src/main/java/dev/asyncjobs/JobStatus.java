package dev.asyncjobs;

import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of a job. All allowed transitions are listed here, in one place:
 *
 * <pre>
 * PENDING    → PROCESSING (claimed), CANCELLED (cancelled before start)
 * PROCESSING → COMPLETED, FAILED (final failure), PENDING (retry scheduled, lease rescued or released),
 *              CANCELLED (cooperative cancellation)
 * COMPLETED, FAILED, CANCELLED → nothing (final)
 * </pre>
 */
public enum JobStatus {
  /** Waiting to be claimed, possibly not before its {@code runAt}. */
  PENDING,
  /** Claimed by a worker that holds a lease on it. */
  PROCESSING,
  /** Finished with a result. Final. */
  COMPLETED,
  /** Finished without a result after its last attempt, or after a permanent failure. Final. */
  FAILED,
  /** Cancelled by its owner. Final. */
  CANCELLED;

  /** {@return whether no further transition is possible} */
  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  /** {@return the statuses this status may move to} */
  public Set<JobStatus> successors() {
    return switch (this) {
      case PENDING -> EnumSet.of(PROCESSING, CANCELLED);
      case PROCESSING -> EnumSet.of(COMPLETED, FAILED, PENDING, CANCELLED);
      case COMPLETED, FAILED, CANCELLED -> EnumSet.noneOf(JobStatus.class);
    };
  }

  /**
   * {@return whether a job in this status may move to {@code next}}
   *
   * @param next the status to move to
   */
  public boolean canMoveTo(JobStatus next) {
    return successors().contains(next);
  }

  /** {@return the statuses that are final} */
  public static Set<JobStatus> finalStatuses() {
    return EnumSet.of(COMPLETED, FAILED, CANCELLED);
  }
}
