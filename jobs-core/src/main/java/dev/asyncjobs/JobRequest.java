package dev.asyncjobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks for when creating a job. {@link JobManager#create(JobRequest)} validates it.
 * Build one with {@link #of(String, JobType, Object)} or a {@link #builder builder}; it is immutable
 * and compares by value.
 */
public final class JobRequest {

  /** Lowest priority. */
  public static final int MIN_PRIORITY = 1;
  /** Highest priority; runs first. */
  public static final int MAX_PRIORITY = 10;
  /** Priority when none is given. */
  public static final int DEFAULT_PRIORITY = 5;
  /** Attempts when none are given. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  private final String ownerId;
  private final String type;
  private final String payload;
  private final @Nullable Integer priority;
  private final @Nullable Integer maxAttempts;
  private final @Nullable Instant runAt;
  private final @Nullable String idempotencyKey;
  private final Map<String, String> metadata;
  private final boolean useCache;

  private JobRequest(Builder b) {
    this.ownerId = b.ownerId;
    this.type = b.type;
    this.payload = b.payload;
    this.priority = b.priority;
    this.maxAttempts = b.maxAttempts;
    this.runAt = b.runAt;
    this.idempotencyKey = b.idempotencyKey;
    this.metadata = Map.copyOf(b.metadata);
    this.useCache = b.useCache;
  }

  /**
   * {@return whether an identical request's cached result may answer this one (default true; only
   * for types whose generator has a {@link ResultCache})}
   */
  public boolean useCache() {
    return useCache;
  }

  /** {@return the user or tenant the job belongs to} */
  public String ownerId() {
    return ownerId;
  }

  /** {@return the job type; a generator for it must be registered} */
  public String type() {
    return type;
  }

  /** {@return the payload as JSON text; must be a JSON object} */
  public String payload() {
    return payload;
  }

  /** {@return 1–10, or {@code null} for the manager's default (5)} */
  public @Nullable Integer priority() {
    return priority;
  }

  /** {@return at least 1, or {@code null} for the manager's default (3)} */
  public @Nullable Integer maxAttempts() {
    return maxAttempts;
  }

  /** {@return not before this instant, or {@code null} for now} */
  public @Nullable Instant runAt() {
    return runAt;
  }

  /** {@return the key that makes a second create of the same owner return the first job, if any} */
  public @Nullable String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * {@return string entries stored with the job for integrations (a trace context, a correlation
   * id)} Never shown to generators as payload; empty when none. See {@link Builder#metadata}.
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** {@return a builder holding this request's values, to change some of them} */
  public Builder toBuilder() {
    Builder b = new Builder(ownerId, type).payload(payload).idempotencyKey(idempotencyKey);
    b.priority = priority;
    b.maxAttempts = maxAttempts;
    b.runAt = runAt;
    b.metadata.putAll(metadata);
    b.useCache = useCache;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JobRequest r
        && ownerId.equals(r.ownerId)
        && type.equals(r.type)
        && payload.equals(r.payload)
        && Objects.equals(priority, r.priority)
        && Objects.equals(maxAttempts, r.maxAttempts)
        && Objects.equals(runAt, r.runAt)
        && Objects.equals(idempotencyKey, r.idempotencyKey)
        && metadata.equals(r.metadata)
        && useCache == r.useCache;
  }

  @Override
  public int hashCode() {
    return Objects.hash(ownerId, type, payload, priority, maxAttempts, runAt, idempotencyKey, metadata, useCache);
  }

  /** {@return the owner and type, without the payload (which may hold a user's prompt)} */
  @Override
  public String toString() {
    return "JobRequest[ownerId=" + ownerId + ", type=" + type + ", priority=" + priority + ", maxAttempts="
        + maxAttempts + ", runAt=" + runAt + ", idempotencyKey=" + idempotencyKey + ", metadata=" + metadata.keySet() + "]";
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
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private boolean useCache = true;

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

    /**
     * An entry stored with the job for integrations, such as the W3C {@code traceparent} of the
     * code that creates it; {@link JobManager} checks the entries on create (at most {@value
     * JobManager#MAX_METADATA_ENTRIES} entries, keys of lower-case letters, digits, {@code .},
     * {@code _} and {@code -} up to 64 characters, printable values up to {@value
     * JobManager#MAX_METADATA_VALUE_LENGTH} characters). A second value for a key replaces the first.
     *
     * @param key the entry's name
     * @param value its value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "metadata key"), Objects.requireNonNull(value, "metadata value"));
      return this;
    }

    /**
     * Whether an identical earlier request's result may answer this one, for a type whose generator
     * has a {@link ResultCache}; default true. False always runs the job (a "regenerate" button).
     *
     * @param use false to run whatever is cached
     * @return this builder
     */
    public Builder useCache(boolean use) {
      this.useCache = use;
      return this;
    }

    /** {@return the request} */
    public JobRequest build() {
      return new JobRequest(this);
    }
  }
}
