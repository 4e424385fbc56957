package dev.asyncjobs.spi;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * @param resources the resources its generator declared ({@link dev.asyncjobs.Generator#resources()}):
 *     with its type, the names of the {@link dev.asyncjobs.JobLimit}s it falls under, for good
 * @param estimatedUnits the units an attempt reserves under a {@link dev.asyncjobs.JobLimit#maxUnits()}
 *     of its resources ({@link dev.asyncjobs.Generator#estimateUnits(Object)}); at least 0
 * @param cacheKey the key identical requests share when the type caches results ({@link
 *     dev.asyncjobs.ResultCache}), kept with the job so that {@link JobStore#findCached} finds it
 *     once it completed; {@code null} when the type does not cache
 * @param cached the cached result that answers this job: the store inserts it COMPLETED, or, for
 *     a {@linkplain CachedResult#joins() join}, PENDING waiting for the job it names; {@code null}
 *     for a job that runs
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
    Set<String> resources,
    long estimatedUnits,
    @Nullable String cacheKey,
    @Nullable CachedResult cached) {

  /**
   * A job that does not take part in a result cache.
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
   * @param resources the resources its generator declared
   * @param estimatedUnits the units an attempt reserves; at least 0
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
      Map<String, String> metadata,
      Set<String> resources,
      long estimatedUnits) {
    this(id, ownerId, type, payload, priority, maxAttempts, runAt, estimatedDuration, idempotencyKey, metadata, resources,
        estimatedUnits, null, null);
  }

  /**
   * A job without resources that reserves one unit.
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
    this(id, ownerId, type, payload, priority, maxAttempts, runAt, estimatedDuration, idempotencyKey, metadata, Set.of(), 1,
        null, null);
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
   * @param resources the resources its generator declared
   * @param estimatedUnits the units an attempt reserves; at least 0
   * @param cacheKey the result cache's key, or null
   * @param cached the cached result that answers the job, or null
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
    resources = Set.copyOf(resources);
  }

  /** {@return every limit name the job falls under: its type and its resources} */
  public Set<String> limitNames() {
    if (resources.isEmpty()) {
      return Set.of(type);
    }
    java.util.Set<String> all = new java.util.TreeSet<>(resources);
    all.add(type);
    return java.util.Collections.unmodifiableSet(all);
  }

  /**
   * {@return this job with {@code answer} as its cached result} A store uses it when the source's
   * state at insert decides otherwise than the manager saw (see {@link CachedResult}).
   *
   * @param answer the cached result, or null for a plain job
   */
  public NewJob withCached(@Nullable CachedResult answer) {
    return new NewJob(id, ownerId, type, payload, priority, maxAttempts, runAt, estimatedDuration, idempotencyKey,
        metadata, resources, estimatedUnits, cacheKey, answer);
  }

  /**
   * {@return the job this becomes when stored at {@code now}: PENDING, no attempts yet; or, with a
   * {@linkplain #cached() cached result}, COMPLETED at once with it (progress 100, no attempt); or,
   * joining a job still running, PENDING at {@link CachedResult#WAITING_RUN_AT} waiting for it}
   *
   * @param now the time of the insert
   */
  public Job toJob(Instant now) {
    Job.Builder b = Job.builder()
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
        .cacheKey(cacheKey);
    if (cached != null && cached.joins()) {
      b.runAt(CachedResult.WAITING_RUN_AT).cachedFrom(cached.from());
    } else if (cached != null) {
      b.status(dev.asyncjobs.JobStatus.COMPLETED).progress(100).result(cached.resultJson()).finishedAt(now)
          .cachedFrom(cached.from());
    }
    return b.build();
  }
}
