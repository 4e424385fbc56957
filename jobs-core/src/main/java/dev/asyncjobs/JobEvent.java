package dev.asyncjobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a job. Stores deliver the events of one job in the order they happened.
 *
 * @param kind what happened
 * @param jobId the job
 * @param ownerId its owner
 * @param type its type
 * @param status its status after the event
 * @param progress its progress after the event
 * @param message the progress message, the error, or why it was retried, when there is one
 * @param attempt attempts started so far
 * @param runAt when a PENDING job becomes due (for wake-ups of workers); {@code null} otherwise
 * @param at when it happened
 */
public record JobEvent(
    Kind kind,
    UUID jobId,
    String ownerId,
    String type,
    JobStatus status,
    int progress,
    @Nullable String message,
    int attempt,
    @Nullable Instant runAt,
    Instant at) {

  /** What happened. */
  public enum Kind {
    /** The job was stored (PENDING). */
    CREATED,
    /** A worker claimed it (PROCESSING). */
    STARTED,
    /** Its progress changed. */
    PROGRESS,
    /** It finished with a result. */
    COMPLETED,
    /** It failed for good. */
    FAILED,
    /** An attempt ended and it is PENDING again: a retry, a rescued lease or a released job. */
    RETRY_SCHEDULED,
    /** Its owner asked to cancel it while it was PROCESSING; the worker will stop it. */
    CANCEL_REQUESTED,
    /** It was cancelled (final). */
    CANCELLED
  }

  /** Checks nullness. */
  public JobEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
  }

  /**
   * The event of {@code kind} for the job as it is after the change. The message is the progress
   * message for PROGRESS and the error message for FAILED and RETRY_SCHEDULED.
   */
  public static JobEvent of(Kind kind, Job job) {
    String message =
        switch (kind) {
          case PROGRESS, STARTED -> job.progressMessage();
          case FAILED, RETRY_SCHEDULED -> job.errorMessage();
          default -> null;
        };
    Instant runAt = job.status() == JobStatus.PENDING ? job.runAt() : null;
    return new JobEvent(
        kind, job.id(), job.ownerId(), job.type(), job.status(), job.progress(), message,
        job.attempts(), runAt, job.updatedAt());
  }
}
