package dev.asyncjobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.Json;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks for when creating a job. {@link JobManager#create(JobRequest)} validates it.
 *
 * @param ownerId the user or tenant the job belongs to
 * @param type the job type; a generator for it must be registered
 * @param payload the payload as JSON text; must be a JSON object
 * @param priority 1–10, or {@code null} for the manager's default (5)
 * @param maxAttempts at least 1, or {@code null} for the manager's default (3)
 * @param runAt not before this instant, or {@code null} for now
 * @param idempotencyKey optional; a second create with the same owner and key returns the first job
 */
public record JobRequest(
    String ownerId,
    String type,
    String payload,
    @Nullable Integer priority,
    @Nullable Integer maxAttempts,
    @Nullable Instant runAt,
    @Nullable String idempotencyKey) {

  /** Lowest priority. */
  public static final int MIN_PRIORITY = 1;
  /** Highest priority; runs first. */
  public static final int MAX_PRIORITY = 10;
  /** Priority when none is given. */
  public static final int DEFAULT_PRIORITY = 5;
  /** Attempts when none are given. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /**
   * Checks only nullness; range checks belong to {@link JobManager} so that errors are typed.
   *
   * @param ownerId the user or tenant the job belongs to
   * @param type the job type; a generator for it must be registered
   * @param payload the payload as JSON text; must be a JSON object
   * @param priority 1–10, or {@code null} for the manager's default (5)
   * @param maxAttempts at least 1, or {@code null} for the manager's default (3)
   * @param runAt not before this instant, or {@code null} for now
   * @param idempotencyKey optional; a second create with the same owner and key returns the first job
   */
  public JobRequest {
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * Starts a request for one owner and type.
   *
   * @param ownerId the owner
   * @param type the job type
   * @return a new builder
   */
  public static Builder builder(String ownerId, String type) {
    return new Builder(ownerId, type);
  }

  /**
   * A request for a job of a typed {@link JobType}, its payload written as JSON from the value.
   *
   * @param ownerId the owner
   * @param type the job type
   * @param payload the payload, an instance of the type's payload class
   * @param <P> the payload type
   * @return the request, with default priority and attempts
   * @throws InvalidPayloadException the payload is not an instance of the type's payload class (only
   *     possible through raw types)
   */
  public static <P> JobRequest of(String ownerId, JobType<P> type, P payload) {
    return builder(ownerId, type, payload).build();
  }

  /**
   * Starts a request for a job of a typed {@link JobType}, for the settings beyond the payload
   * (priority, attempts, run time, idempotency key).
   *
   * @param ownerId the owner
   * @param type the job type
   * @param payload the payload, an instance of the type's payload class
   * @param <P> the payload type
   * @return a new builder with the payload set
   * @throws InvalidPayloadException the payload is not an instance of the type's payload class (only
   *     possible through raw types)
   */
  public static <P> Builder builder(String ownerId, JobType<P> type, P payload) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    if (!type.payloadType().isInstance(payload)) {
      throw new InvalidPayloadException("payload", "a " + type.name() + " job takes a " + type.payloadType().getName()
          + ", was a " + payload.getClass().getName());
    }
    return new Builder(ownerId, type.name()).payloadOf(payload);
  }

  /** Builds a {@link JobRequest}. */
  public static final class Builder {
    private final String ownerId;
    private final String type;
    private String payload = "{}";
    private @Nullable Integer priority;
    private @Nullable Integer maxAttempts;
    private @Nullable Instant runAt;
    private @Nullable String idempotencyKey;

    private Builder(String ownerId, String type) {
      this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
      this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * The payload as JSON text (validated on create).
     *
     * @param json a JSON object
     * @return this builder
     */
    public Builder payload(String json) {
      this.payload = Objects.requireNonNull(json, "payload");
      return this;
    }

    /**
     * The payload as a Jackson tree.
     *
     * @param json a JSON object
     * @return this builder
     */
    public Builder payload(JsonNode json) {
      this.payload = Json.write(json);
      return this;
    }

    /**
     * The payload as any value Jackson can write, typically the generator's payload record.
     *
     * @param value the payload, written as a JSON object
     * @return this builder
     */
    public Builder payloadOf(Object value) {
      this.payload = Json.write(value);
      return this;
    }

    /**
     * Priority 1–10; 10 runs first.
     *
     * @param priority 1–10
     * @return this builder
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * The most attempts this job may have (at least 1).
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Do not run before this instant.
     *
     * @param runAt the earliest start
     * @return this builder
     */
    public Builder runAt(Instant runAt) {
      this.runAt = runAt;
      return this;
    }

    /**
     * A key unique per owner; retried creates with it return the first job.
     *
     * @param key the key, or {@code null} for none
     * @return this builder
     */
    public Builder idempotencyKey(@Nullable String key) {
      this.idempotencyKey = key;
      return this;
    }

    /** {@return the request} */
    public JobRequest build() {
      return new JobRequest(ownerId, type, payload, priority, maxAttempts, runAt, idempotencyKey);
    }
  }
}
