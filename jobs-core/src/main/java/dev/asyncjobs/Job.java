package dev.asyncjobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One job, as a store holds it at one moment. Immutable: every change makes a new value.
 *
 * <p>{@code payload} and {@code result} are JSON text (a JSON object for the payload); use {@link
 * #payloadTree()} and {@link #resultTree()} to read them as Jackson trees.
 *
 * @param id unique id (time-ordered UUID v7 when created by {@link JobManager})
 * @param ownerId the user or tenant; every user-facing call is scoped by it
 * @param type the generator type, e.g. {@code image_generation}
 * @param payload the JSON object the job was created with
 * @param status where the job is in its lifecycle
 * @param progress 0–100, monotonic within an attempt
 * @param progressMessage an optional short message that goes with the progress
 * @param result JSON written once, on completion
 * @param errorMessage the last error, kept through retries
 * @param priority 1–10, 10 runs first
 * @param attempts attempts started so far
 * @param maxAttempts the most attempts the job may have
 * @param estimatedDuration how long the job is expected to run, learned per type
 * @param actualDuration how long the successful attempt ran
 * @param createdAt when the job was created
 * @param updatedAt when the job last changed
 * @param startedAt when the current or last attempt started
 * @param finishedAt when the job reached a final status
 * @param runAt not to be claimed before this instant
 * @param workerId the worker holding the lease of a PROCESSING job
 * @param leaseUntil until when that lease holds
 * @param idempotencyKey optional key, unique per owner
 * @param cancelRequested whether the owner asked to cancel while the job was PROCESSING
 */
public record Job(
    UUID id,
    String ownerId,
    String type,
    String payload,
    JobStatus status,
    int progress,
    @Nullable String progressMessage,
    @Nullable String result,
    @Nullable String errorMessage,
    int priority,
    int attempts,
    int maxAttempts,
    @Nullable Duration estimatedDuration,
    @Nullable Duration actualDuration,
    Instant createdAt,
    Instant updatedAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    Instant runAt,
    @Nullable String workerId,
    @Nullable Instant leaseUntil,
    @Nullable String idempotencyKey,
    boolean cancelRequested) {

  /**
   * Checks the invariants every stored job satisfies.
   *
   * @param id unique id (time-ordered UUID v7 when created by {@link JobManager})
   * @param ownerId the user or tenant; every user-facing call is scoped by it
   * @param type the generator type, e.g. {@code image_generation}
   * @param payload the JSON object the job was created with
   * @param status where the job is in its lifecycle
   * @param progress 0–100, monotonic within an attempt
   * @param progressMessage an optional short message that goes with the progress
   * @param result JSON written once, on completion
   * @param errorMessage the last error, kept through retries
   * @param priority 1–10, 10 runs first
   * @param attempts attempts started so far
   * @param maxAttempts the most attempts the job may have
   * @param estimatedDuration how long the job is expected to run, learned per type
   * @param actualDuration how long the successful attempt ran
   * @param createdAt when the job was created
   * @param updatedAt when the job last changed
   * @param startedAt when the current or last attempt started
   * @param finishedAt when the job reached a final status
   * @param runAt not to be claimed before this instant
   * @param workerId the worker holding the lease of a PROCESSING job
   * @param leaseUntil until when that lease holds
   * @param idempotencyKey optional key, unique per owner
   * @param cancelRequested whether the owner asked to cancel while the job was PROCESSING
   */
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(runAt, "runAt");
    if (progress < 0 || progress > 100) {
      throw new IllegalArgumentException("progress must be 0-100, was " + progress);
    }
    if (priority < JobRequest.MIN_PRIORITY || priority > JobRequest.MAX_PRIORITY) {
      throw new IllegalArgumentException("priority must be 1-10, was " + priority);
    }
  }

  /** {@return the payload as a Jackson tree (a fresh copy each call)} */
  public JsonNode payloadTree() {
    return Json.parse(payload);
  }

  /** {@return the result as a Jackson tree, or {@code null} before completion} */
  public @Nullable JsonNode resultTree() {
    return result == null ? null : Json.parse(result);
  }

  /** {@return whether this job is in a final status} */
  public boolean isFinished() {
    return status.isFinal();
  }

  /**
   * {@return a builder that starts from this job's values, for stores that derive a changed
   * copy}
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * {@return a builder for a job; meant for {@link JobStore} implementations that map rows to
   * jobs}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link Job} values; every setter returns this builder. */
  public static final class Builder {
    private @Nullable UUID id;
    private @Nullable String ownerId;
    private @Nullable String type;
    private String payload = "{}";
    private JobStatus status = JobStatus.PENDING;
    private int progress;
    private @Nullable String progressMessage;
    private @Nullable String result;
    private @Nullable String errorMessage;
    private int priority = JobRequest.DEFAULT_PRIORITY;
    private int attempts;
    private int maxAttempts = JobRequest.DEFAULT_MAX_ATTEMPTS;
    private @Nullable Duration estimatedDuration;
    private @Nullable Duration actualDuration;
    private @Nullable Instant createdAt;
    private @Nullable Instant updatedAt;
    private @Nullable Instant startedAt;
    private @Nullable Instant finishedAt;
    private @Nullable Instant runAt;
    private @Nullable String workerId;
    private @Nullable Instant leaseUntil;
    private @Nullable String idempotencyKey;
    private boolean cancelRequested;

    private Builder() {}

    private Builder(Job j) {
      id = j.id;
      ownerId = j.ownerId;
      type = j.type;
      payload = j.payload;
      status = j.status;
      progress = j.progress;
      progressMessage = j.progressMessage;
      result = j.result;
      errorMessage = j.errorMessage;
      priority = j.priority;
      attempts = j.attempts;
      maxAttempts = j.maxAttempts;
      estimatedDuration = j.estimatedDuration;
      actualDuration = j.actualDuration;
      createdAt = j.createdAt;
      updatedAt = j.updatedAt;
      startedAt = j.startedAt;
      finishedAt = j.finishedAt;
      runAt = j.runAt;
      workerId = j.workerId;
      leaseUntil = j.leaseUntil;
      idempotencyKey = j.idempotencyKey;
      cancelRequested = j.cancelRequested;
    }

    /**
     * Sets {@link Job#id()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder id(UUID v) { id = v; return this; }
    /**
     * Sets {@link Job#ownerId()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder ownerId(String v) { ownerId = v; return this; }
    /**
     * Sets {@link Job#type()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder type(String v) { type = v; return this; }
    /**
     * Sets {@link Job#payload()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder payload(String v) { payload = v; return this; }
    /**
     * Sets {@link Job#status()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder status(JobStatus v) { status = v; return this; }
    /**
     * Sets {@link Job#progress()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder progress(int v) { progress = v; return this; }
    /**
     * Sets {@link Job#progressMessage()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder progressMessage(@Nullable String v) { progressMessage = v; return this; }
    /**
     * Sets {@link Job#result()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder result(@Nullable String v) { result = v; return this; }
    /**
     * Sets {@link Job#errorMessage()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder errorMessage(@Nullable String v) { errorMessage = v; return this; }
    /**
     * Sets {@link Job#priority()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder priority(int v) { priority = v; return this; }
    /**
     * Sets {@link Job#attempts()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder attempts(int v) { attempts = v; return this; }
    /**
     * Sets {@link Job#maxAttempts()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder maxAttempts(int v) { maxAttempts = v; return this; }
    /**
     * Sets {@link Job#estimatedDuration()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder estimatedDuration(@Nullable Duration v) { estimatedDuration = v; return this; }
    /**
     * Sets {@link Job#actualDuration()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder actualDuration(@Nullable Duration v) { actualDuration = v; return this; }
    /**
     * Sets {@link Job#createdAt()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder createdAt(Instant v) { createdAt = v; return this; }
    /**
     * Sets {@link Job#updatedAt()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder updatedAt(Instant v) { updatedAt = v; return this; }
    /**
     * Sets {@link Job#startedAt()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder startedAt(@Nullable Instant v) { startedAt = v; return this; }
    /**
     * Sets {@link Job#finishedAt()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder finishedAt(@Nullable Instant v) { finishedAt = v; return this; }
    /**
     * Sets {@link Job#runAt()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder runAt(Instant v) { runAt = v; return this; }
    /**
     * Sets {@link Job#workerId()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder workerId(@Nullable String v) { workerId = v; return this; }
    /**
     * Sets {@link Job#leaseUntil()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder leaseUntil(@Nullable Instant v) { leaseUntil = v; return this; }
    /**
     * Sets {@link Job#idempotencyKey()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder idempotencyKey(@Nullable String v) { idempotencyKey = v; return this; }
    /**
     * Sets {@link Job#cancelRequested()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder cancelRequested(boolean v) { cancelRequested = v; return this; }

    /**
     * {@return builds the job; {@code updatedAt} and {@code runAt} default to {@code createdAt}}
     */
    public Job build() {
      Instant created = Objects.requireNonNull(createdAt, "createdAt");
      return new Job(
          Objects.requireNonNull(id, "id"),
          Objects.requireNonNull(ownerId, "ownerId"),
          Objects.requireNonNull(type, "type"),
          payload,
          status,
          progress,
          progressMessage,
          result,
          errorMessage,
          priority,
          attempts,
          maxAttempts,
          estimatedDuration,
          actualDuration,
          created,
          updatedAt == null ? created : updatedAt,
          startedAt,
          finishedAt,
          runAt == null ? created : runAt,
          workerId,
          leaseUntil,
          idempotencyKey,
          cancelRequested);
    }
  }
}
