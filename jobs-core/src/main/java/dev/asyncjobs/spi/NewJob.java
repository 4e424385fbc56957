package dev.asyncjobs.spi;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A validated job that {@link JobManager} hands to {@link JobStore#insert} : every field is
 * decided, the store only persists it (and applies the quota in the same atomic step).
 *
 * @param id the new job's id
 * @param ownerId owner
 * @param type job type
 * @param payload canonical JSON text of the payload object
 * @param priority 1–10
 * @param maxAttempts at least 1
 * @param runAt not before this instant
 * @param estimatedDuration the estimate for this job, if any
 * @param idempotencyKey optional key unique per owner
 * @param metadata entries stored with the job for integrations (checked by the manager)
 * @param estimatedUnits the units an attempt reserves under a {@link dev.asyncjobs.JobLimit#maxUnits()}
 *     of its resources ({@link dev.asyncjobs.Generator#estimateUnits(Object)}); at least 0
 */
public record NewJob(
    UUID id,
    String ownerId,
    String type,
    String payload,
    int priority,
    int maxAttempts,
    Instant runAt,
    @Nullable Duration estimatedDuration,
    @Nullable String idempotencyKey,
    Map<String, String> metadata,
    long estimatedUnits) {

  /**
   * A job that reserves one unit.
   *
   * @param id the new job's id
   * @param ownerId owner
   * @param type job type
   * @param payload canonical JSON text of the payload object
   * @param priority 1–10
   * @param maxAttempts at least 1
   * @param runAt not before this instant
   * @param estimatedDuration the estimate for this job, if any
   * @param idempotencyKey optional key unique per owner
   * @param metadata entries stored with the job for integrations
   */
  public NewJob(
      UUID id,
      String ownerId,
      String type,
      String payload,
      int priority,
      int maxAttempts,
      Instant runAt,
      @Nullable Duration estimatedDuration,
      @Nullable String idempotencyKey,
      Map<String, String> metadata) {
    this(id, ownerId, type, payload, priority, maxAttempts, runAt, estimatedDuration, idempotencyKey, metadata, 1);
  }

  /**
   * A job without metadata.
   *
   * @param id the new job's id
   * @param ownerId owner
   * @param type job type
   * @param payload canonical JSON text of the payload object
   * @param priority 1–10
   * @param maxAttempts at least 1
   * @param runAt not before this instant
   * @param estimatedDuration the estimate for this job, if any
   * @param idempotencyKey optional key unique per owner
   */
  public NewJob(
      UUID id,
      String ownerId,
      String type,
      String payload,
      int priority,
      int maxAttempts,
      Instant runAt,
      @Nullable Duration estimatedDuration,
      @Nullable String idempotencyKey) {
    this(id, ownerId, type, payload, priority, maxAttempts, runAt, estimatedDuration, idempotencyKey, Map.of());
  }

  /**
   * Checks nullness and ranges, and copies the metadata.
   *
   * @param id the new job's id
   * @param ownerId owner
   * @param type job type
   * @param payload canonical JSON text of the payload object
   * @param priority 1–10
   * @param maxAttempts at least 1
   * @param runAt not before this instant
   * @param estimatedDuration the estimate for this job, if any
   * @param idempotencyKey optional key unique per owner
   * @param metadata entries stored with the job for integrations
   * @param estimatedUnits the units an attempt reserves; at least 0
   */
  public NewJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(runAt, "runAt");
    if (priority < JobRequest.MIN_PRIORITY || priority > JobRequest.MAX_PRIORITY) {
      throw new IllegalArgumentException("priority must be 1-10, was " + priority);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (estimatedUnits < 0) {
      throw new IllegalArgumentException("estimatedUnits must not be negative, was " + estimatedUnits);
    }
    metadata = Map.copyOf(metadata);
  }

  /**
   * {@return the job this becomes when stored at {@code now}: PENDING, no attempts yet}
   *
   * @param now the time of the insert
   */
  public Job toJob(Instant now) {
    return Job.builder()
        .id(id)
        .ownerId(ownerId)
        .type(type)
        .payload(payload)
        .priority(priority)
        .maxAttempts(maxAttempts)
        .runAt(runAt)
        .estimatedDuration(estimatedDuration)
        .idempotencyKey(idempotencyKey)
        .metadata(metadata)
        .createdAt(now)
        .updatedAt(now)
        .build();
  }
}
