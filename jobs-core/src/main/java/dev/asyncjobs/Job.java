package dev.asyncjobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.Json;
import dev.asyncjobs.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One job, as a store holds it at one moment. Immutable: every change makes a new value.
 *
 * <p>{@code payload} and {@code result} are JSON text (a JSON object for the payload); use {@link
 * #payloadTree()} and {@link #resultTree()} to read them as Jackson trees.
 *
 * <p>A final class with accessors rather than a record, so that fields can be added without
 * breaking callers; stores build jobs with {@link #builder()} and derive changed copies with
 * {@link #toBuilder()}.
 */
public final class Job {
  private final UUID id;
  private final String ownerId;
  private final String type;
  private final String payload;
  private final JobStatus status;
  private final int progress;
  private final @Nullable String progressMessage;
  private final @Nullable String result;
  private final @Nullable String errorMessage;
  private final int priority;
  private final int attempts;
  private final int deferrals;
  private final int maxAttempts;
  private final @Nullable Duration estimatedDuration;
  private final @Nullable Duration actualDuration;
  private final Instant createdAt;
  private final Instant updatedAt;
  private final @Nullable Instant startedAt;
  private final @Nullable Instant finishedAt;
  private final Instant runAt;
  private final @Nullable String workerId;
  private final @Nullable Instant leaseUntil;
  private final @Nullable String idempotencyKey;
  private final boolean cancelRequested;
  private final Map<String, String> metadata;
  private final Usage usage;
  private final SortedMap<Integer, Usage> attemptUsage;
  private final @Nullable BudgetAmount budgetReserved;
  private final @Nullable String cacheKey;
  private final @Nullable UUID cachedFrom;

  private Job(Builder b, Instant created) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.ownerId = Objects.requireNonNull(b.ownerId, "ownerId");
    this.type = Objects.requireNonNull(b.type, "type");
    this.payload = b.payload;
    this.status = b.status;
    this.progress = b.progress;
    this.progressMessage = b.progressMessage;
    this.result = b.result;
    this.errorMessage = b.errorMessage;
    this.priority = b.priority;
    this.attempts = b.attempts;
    this.deferrals = b.deferrals;
    this.maxAttempts = b.maxAttempts;
    this.estimatedDuration = b.estimatedDuration;
    this.actualDuration = b.actualDuration;
    this.createdAt = created;
    this.updatedAt = b.updatedAt == null ? created : b.updatedAt;
    this.startedAt = b.startedAt;
    this.finishedAt = b.finishedAt;
    this.runAt = b.runAt == null ? created : b.runAt;
    this.workerId = b.workerId;
    this.leaseUntil = b.leaseUntil;
    this.idempotencyKey = b.idempotencyKey;
    this.cancelRequested = b.cancelRequested;
    this.metadata = Map.copyOf(b.metadata);
    this.usage = Objects.requireNonNull(b.usage, "usage");
    // Most jobs have no usage: share the empty map rather than copy one for every change of a job.
    this.attemptUsage = b.attemptUsage.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(b.attemptUsage));
    this.budgetReserved = b.budgetReserved;
    this.cacheKey = b.cacheKey;
    this.cachedFrom = b.cachedFrom;
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(status, "status");
    if (progress < 0 || progress > 100) {
      throw new IllegalArgumentException("progress must be 0-100, was " + progress);
    }
    if (priority < JobRequest.MIN_PRIORITY || priority > JobRequest.MAX_PRIORITY) {
      throw new IllegalArgumentException("priority must be 1-10, was " + priority);
    }
  }

  /** {@return unique id (time-ordered UUID v7 when created by {@link JobManager})} */
  public UUID id() {
    return id;
  }

  /** {@return the user or tenant; every user-facing call is scoped by it} */
  public String ownerId() {
    return ownerId;
  }

  /** {@return the generator type, e.g. {@code image_generation}} */
  public String type() {
    return type;
  }

  /** {@return the JSON object the job was created with} */
  public String payload() {
    return payload;
  }

  /** {@return where the job is in its lifecycle} */
  public JobStatus status() {
    return status;
  }

  /** {@return 0–100, monotonic within an attempt} */
  public int progress() {
    return progress;
  }

  /** {@return an optional short message that goes with the progress} */
  public @Nullable String progressMessage() {
    return progressMessage;
  }

  /** {@return JSON written once, on completion} */
  public @Nullable String result() {
    return result;
  }

  /** {@return the last error, kept through retries} */
  public @Nullable String errorMessage() {
    return errorMessage;
  }

  /** {@return 1–10, 10 runs first} */
  public int priority() {
    return priority;
  }

  /** {@return attempts started so far} */
  public int attempts() {
    return attempts;
  }

  /**
   * {@return how many times an attempt was handed back without counting, because a provider said
   * "rate limited" (see {@link RateLimitedException})}
   */
  public int deferrals() {
    return deferrals;
  }

  /** {@return the most attempts the job may have} */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** {@return how long the job is expected to run, learned per type} */
  public @Nullable Duration estimatedDuration() {
    return estimatedDuration;
  }

  /** {@return how long the successful attempt ran} */
  public @Nullable Duration actualDuration() {
    return actualDuration;
  }

  /** {@return when the job was created} */
  public Instant createdAt() {
    return createdAt;
  }

  /** {@return when the job last changed} */
  public Instant updatedAt() {
    return updatedAt;
  }

  /** {@return when the current or last attempt started} */
  public @Nullable Instant startedAt() {
    return startedAt;
  }

  /** {@return when the job reached a final status} */
  public @Nullable Instant finishedAt() {
    return finishedAt;
  }

  /** {@return not to be claimed before this instant} */
  public Instant runAt() {
    return runAt;
  }

  /** {@return the worker holding the lease of a PROCESSING job} */
  public @Nullable String workerId() {
    return workerId;
  }

  /** {@return until when that lease holds} */
  public @Nullable Instant leaseUntil() {
    return leaseUntil;
  }

  /** {@return optional key, unique per owner} */
  public @Nullable String idempotencyKey() {
    return idempotencyKey;
  }

  /** {@return whether the owner asked to cancel while the job was PROCESSING} */
  public boolean cancelRequested() {
    return cancelRequested;
  }

  /**
   * {@return the entries stored with the job for integrations (see {@link
   * JobRequest.Builder#metadata}), such as the trace context of the code that created it; empty when
   * none} They stay the same over every attempt.
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * {@return what the job's attempts consumed from providers, added up; {@link Usage#NONE} when
   * none reported any} Kept by stores with {@link dev.asyncjobs.spi.StoreCapability#USAGE}.
   */
  public Usage usage() {
    return usage;
  }

  /**
   * {@return by attempt number, what each attempt that reported usage consumed (a rate-limited
   * attempt handed back without counting adds to the number it ran under)}
   */
  public SortedMap<Integer, Usage> attemptUsage() {
    return attemptUsage;
  }

  /**
   * {@return what the job reserved against its owner's budgets when it was created, or {@code null}
   * when it was not budgeted} Once the job has ended, its owner's budget counts what it consumed
   * instead (see {@link BudgetLimits}).
   */
  public @Nullable BudgetAmount budgetReserved() {
    return budgetReserved;
  }

  /**
   * {@return the key identical requests of a caching type share ({@link ResultCache}), or {@code
   * null} when the type does not cache or the request opted out}
   */
  public @Nullable String cacheKey() {
    return cacheKey;
  }

  /**
   * {@return the job whose result answers this one from the result cache, or {@code null} when this
   * job ran (or will run) itself} A COMPLETED job with it was answered from that job's result
   * (copied when it was created, or when that job completed); a PENDING one waits for that job,
   * which had not finished when this one was created (see {@link #waitsForAnotherJob()}).
   */
  public @Nullable UUID cachedFrom() {
    return cachedFrom;
  }

  /**
   * {@return whether this job joined an identical one still running ({@link ResultCache}) and waits
   * for it: PENDING, never claimed, its {@link #runAt()} the far future} It completes with that
   * job's result when that one completes; if that one fails or is cancelled, each owner's oldest job
   * waiting for it runs in its place (and that owner's others wait for it).
   */
  public boolean waitsForAnotherJob() {
    return status == JobStatus.PENDING && cachedFrom != null;
  }

  /** Jobs are equal when every field is. */
  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Job o)) {
      return false;
    }
    return Objects.equals(id, o.id)
        && Objects.equals(ownerId, o.ownerId)
        && Objects.equals(type, o.type)
        && Objects.equals(payload, o.payload)
        && Objects.equals(status, o.status)
        && progress == o.progress
        && Objects.equals(progressMessage, o.progressMessage)
        && Objects.equals(result, o.result)
        && Objects.equals(errorMessage, o.errorMessage)
        && priority == o.priority
        && attempts == o.attempts
        && deferrals == o.deferrals
        && maxAttempts == o.maxAttempts
        && Objects.equals(estimatedDuration, o.estimatedDuration)
        && Objects.equals(actualDuration, o.actualDuration)
        && Objects.equals(createdAt, o.createdAt)
        && Objects.equals(updatedAt, o.updatedAt)
        && Objects.equals(startedAt, o.startedAt)
        && Objects.equals(finishedAt, o.finishedAt)
        && Objects.equals(runAt, o.runAt)
        && Objects.equals(workerId, o.workerId)
        && Objects.equals(leaseUntil, o.leaseUntil)
        && Objects.equals(idempotencyKey, o.idempotencyKey)
        && cancelRequested == o.cancelRequested
        && metadata.equals(o.metadata)
        && usage.equals(o.usage)
        && attemptUsage.equals(o.attemptUsage)
        && Objects.equals(budgetReserved, o.budgetReserved)
        && Objects.equals(cacheKey, o.cacheKey)
        && Objects.equals(cachedFrom, o.cachedFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, ownerId, type, payload, status, progress, progressMessage, result, errorMessage, priority, attempts, deferrals, maxAttempts, estimatedDuration, actualDuration, createdAt, updatedAt, startedAt, finishedAt, runAt, workerId, leaseUntil, idempotencyKey, cancelRequested, metadata, usage, attemptUsage, budgetReserved, cacheKey, cachedFrom);
  }

  /** The id, owner, type, status and progress: enough to recognise the job in a log line, never the payload or result. */
  @Override
  public String toString() {
    return "Job[id=" + id + ", ownerId=" + ownerId + ", type=" + type + ", status=" + status + ", progress=" + progress
        + ", attempts=" + attempts + "/" + maxAttempts + (cancelRequested ? ", cancelRequested" : "") + "]";
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
    private int deferrals;
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
    private Map<String, String> metadata = Map.of();
    private Usage usage = Usage.NONE;
    private SortedMap<Integer, Usage> attemptUsage = Collections.emptySortedMap();
    private @Nullable BudgetAmount budgetReserved;
    private @Nullable String cacheKey;
    private @Nullable UUID cachedFrom;

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
      deferrals = j.deferrals;
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
      metadata = j.metadata;
      usage = j.usage;
      attemptUsage = j.attemptUsage; // immutable; the builder replaces it, never changes it
      budgetReserved = j.budgetReserved;
      cacheKey = j.cacheKey;
      cachedFrom = j.cachedFrom;
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
     * Sets {@link Job#deferrals()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder deferrals(int v) { deferrals = v; return this; }
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
     * Sets {@link Job#metadata()}.
     *
     * @param v the entries (copied)
     * @return this builder
     */
    public Builder metadata(Map<String, String> v) { metadata = Map.copyOf(v); return this; }

    /**
     * Sets {@link Job#usage()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder usage(Usage v) { usage = Objects.requireNonNull(v, "usage"); return this; }

    /**
     * Sets {@link Job#attemptUsage()}.
     *
     * @param v by attempt number (from 1)
     * @return this builder
     */
    public Builder attemptUsage(Map<Integer, Usage> v) { attemptUsage = new TreeMap<>(v); return this; }

    /**
     * Sets {@link Job#budgetReserved()}.
     *
     * @param v the reservation, or null when not budgeted
     * @return this builder
     */
    public Builder budgetReserved(@Nullable BudgetAmount v) { budgetReserved = v; return this; }

    /**
     * Sets {@link Job#cacheKey()}.
     *
     * @param v the key, or null
     * @return this builder
     */
    public Builder cacheKey(@Nullable String v) { cacheKey = v; return this; }

    /**
     * Sets {@link Job#cachedFrom()}.
     *
     * @param v the original job's id, or null
     * @return this builder
     */
    public Builder cachedFrom(@Nullable UUID v) { cachedFrom = v; return this; }

    /**
     * {@return builds the job; {@code updatedAt} and {@code runAt} default to {@code createdAt}}
     */
    public Job build() {
      return new Job(this, Objects.requireNonNull(createdAt, "createdAt"));
    }
  }
}
