package dev.asyncjobs;

import dev.asyncjobs.spi.EventSubscription;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a job: one entry of the store's event log. Every change of a job's
 * status, progress or cancel request appends one event in the same atomic step as the change, with
 * a {@link #sequence() sequence number} that is unique and strictly increasing across the store, so
 * that a subscriber can resume after the last event it saw (see {@link EventSubscription}).
 *
 * @param sequence the event's position in the store's log: positive, strictly increasing in the
 *     order the events are delivered; numbers may be skipped
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
    long sequence,
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

  /** The longest message an event carries; a longer progress or error message is cut. */
  public static final int MAX_MESSAGE_LENGTH = 1000;

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

  /**
   * Checks nullness and that the sequence is positive.
   *
   * @param sequence the event's position in the store's log: positive, strictly increasing in the
   *     order the events are delivered; numbers may be skipped
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
  public JobEvent {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be positive, was " + sequence);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(at, "at");
  }

  /**
   * The event of {@code kind} at {@code sequence} for the job as it is after the change. The message
   * is the progress message for STARTED and PROGRESS and the error message for FAILED and
   * RETRY_SCHEDULED, cut to {@link #MAX_MESSAGE_LENGTH} characters (code points).
   *
   * @param sequence the event's position in the log
   * @param kind what happened
   * @param job the job after the change
   * @return the event
   */
  public static JobEvent of(long sequence, Kind kind, Job job) {
    String message =
        switch (kind) {
          case PROGRESS, STARTED -> job.progressMessage();
          case FAILED, RETRY_SCHEDULED -> job.errorMessage();
          default -> null;
        };
    if (message != null && message.codePointCount(0, message.length()) > MAX_MESSAGE_LENGTH) {
      // Cut by code points, as PostgreSQL's left() does, so both stores keep the same text.
      message = message.substring(0, message.offsetByCodePoints(0, MAX_MESSAGE_LENGTH));
    }
    Instant runAt = job.status() == JobStatus.PENDING ? job.runAt() : null;
    return new JobEvent(
        sequence, kind, job.id(), job.ownerId(), job.type(), job.status(), job.progress(), message,
        job.attempts(), runAt, job.updatedAt());
  }
}
