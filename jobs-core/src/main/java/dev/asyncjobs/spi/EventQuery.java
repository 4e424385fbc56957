package dev.asyncjobs.spi;

import dev.asyncjobs.InvalidRequestException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Which page of the event log {@link JobStore#readEvents} returns: the events of one owner or of
 * every owner, or of one job, after a position, at most so many.
 *
 * <pre>{@code
 * EventQuery.owner("alice", 4711, 100)        // up to 100 of alice's events after 4711
 * EventQuery.allOwners(0, 500)                // the first 500 events of the log
 * EventQuery.job("alice", jobId, 0, 1000)     // the events of one of alice's jobs
 * }</pre>
 *
 * @param ownerId the owner whose events are read, or {@code null} for every owner
 * @param afterSequence the sequence of the last event the caller saw; 0 for the start of the log
 * @param limit the most events to return
 * @param jobId only the events of this job (of {@code ownerId}), or {@code null} for every job
 */
public record EventQuery(@Nullable String ownerId, long afterSequence, int limit, @Nullable UUID jobId) {

  /**
   * A read of every job's events.
   *
   * @param ownerId the owner whose events are read, or {@code null} for every owner
   * @param afterSequence the sequence of the last event the caller saw; 0 for the start of the log
   * @param limit the most events to return
   */
  public EventQuery(@Nullable String ownerId, long afterSequence, int limit) {
    this(ownerId, afterSequence, limit, null);
  }

  /**
   * Checks that the position and the limit are not negative.
   *
   * @param ownerId the owner whose events are read, or {@code null} for every owner
   * @param afterSequence the sequence of the last event the caller saw; 0 for the start of the log
   * @param limit the most events to return
   * @param jobId only the events of this job, or {@code null} for every job
   * @throws InvalidRequestException a negative position or limit
   */
  public EventQuery {
    if (afterSequence < 0) {
      throw new InvalidRequestException("after", "an event position must not be negative, was " + afterSequence);
    }
    if (limit < 0) {
      throw new InvalidRequestException("limit", "limit must not be negative, was " + limit);
    }
  }

  /**
   * {@return a read of one owner's events}
   *
   * @param ownerId the owner
   * @param afterSequence the sequence of the last event the caller saw
   * @param limit the most events to return
   */
  public static EventQuery owner(String ownerId, long afterSequence, int limit) {
    return new EventQuery(java.util.Objects.requireNonNull(ownerId, "ownerId"), afterSequence, limit);
  }

  /**
   * {@return a read of every owner's events}
   *
   * @param afterSequence the sequence of the last event the caller saw
   * @param limit the most events to return
   */
  public static EventQuery allOwners(long afterSequence, int limit) {
    return new EventQuery(null, afterSequence, limit);
  }

  /**
   * {@return a read of one job's events}
   *
   * @param ownerId the job's owner
   * @param jobId the job
   * @param afterSequence the sequence of the last event the caller saw
   * @param limit the most events to return
   */
  public static EventQuery job(String ownerId, UUID jobId, long afterSequence, int limit) {
    return new EventQuery(java.util.Objects.requireNonNull(ownerId, "ownerId"), afterSequence, limit,
        java.util.Objects.requireNonNull(jobId, "jobId"));
  }
}
