package dev.asyncjobs;

import java.time.Duration;
import java.util.List;

/**
 * Makes the result of one job type. A generator is stateless across jobs and safe to call from
 * several threads at once.
 *
 * <p>Its payload is a record (or any Jackson-readable class) read from the job's JSON payload at
 * create time; unknown fields are refused, so typos surface as {@link InvalidPayloadException}.
 *
 * @param <P> the payload type
 */
public interface Generator<P> {

  /**
   * {@return the job type this generator serves, e.g} {@code image_generation}. Lowercase,
   * stable.
   */
  String type();

  /** {@return the class the JSON payload is read into} */
  Class<P> payloadType();

  /**
   * {@return this generator's type as a typed handle, for callers that create its jobs with {@link
   * JobRequest#of(String, JobType, Object)}} A generator that keeps a {@code JobType} constant
   * returns its name and class from {@link #type()} and {@link #payloadType()}.
   */
  default JobType<P> jobType() {
    return JobType.of(type(), payloadType());
  }

  /**
   * Checks a payload beyond its shape, at create time.
   *
   * @param payload the payload, already read into {@link #payloadType()}
   * @throws InvalidPayloadException naming the field, e.g. {@code payload.prompt}
   */
  default void validate(P payload) {}

  /**
   * How long a job with this payload is expected to run, used until real durations are known.
   *
   * @param payload the payload
   * @return the estimate
   */
  default Duration estimate(P payload) {
    return Duration.ofSeconds(30);
  }

  /**
   * The user-written text of the payload that a {@link ContentModerator} should check. The default
   * returns {@code null}: the manager then checks every string in the payload.
   *
   * @param payload the payload
   * @return the texts to moderate, or {@code null} to check every string of the payload
   */
  default @org.jspecify.annotations.Nullable List<String> moderationText(P payload) {
    return null;
  }

  /**
   * The resources this generator's jobs use, such as {@code openai:gpt-image-1}: a {@link JobLimit}
   * named after one of them binds every job of this type, together with every other type that
   * declares it, on every worker. A limit named after the type itself applies too, whatever this
   * returns. Every worker of a type must declare the same resources.
   *
   * @return resource keys (see {@link JobLimit#checkName(String)}); none by default
   */
  default java.util.Set<String> resources() {
    return java.util.Set.of();
  }

  /**
   * How many units (tokens, images, seconds of audio) an attempt of this job is expected to use, in
   * the measure of the {@link JobLimit#maxUnits()} of its resources. Reserved when an attempt starts
   * under such a limit; {@link JobContext#reportUnits(long)} replaces it with what was used. Read
   * once, when the job is created.
   *
   * @param payload the validated payload
   * @return at least 0; 1 by default
   */
  default long estimateUnits(P payload) {
    return 1;
  }

  /**
   * What one job of this payload is expected to consume, by model and unit: reserved against its
   * owner's {@link BudgetLimits} when the job is created, and replaced by what it did consume when
   * it ends. Read once, at create. Overestimate rather than under: an owner near a budget is then
   * refused before the spend, not after.
   *
   * @param payload the validated payload
   * @return the estimate; {@link Usage#NONE} by default (nothing reserved)
   */
  default Usage estimateUsage(P payload) {
    return Usage.NONE;
  }

  /**
   * Whether and how this type's results are reused for identical requests (see {@link
   * ResultCache}); read once, when the manager is built. Default none: every create runs.
   *
   * @return the cache settings, or {@code null} for none
   */
  default @org.jspecify.annotations.Nullable ResultCache resultCache() {
    return null;
  }

  /**
   * Runs one attempt. Report progress and watch cancellation through {@code context}.
   *
   * @param payload the payload
   * @param context the attempt's context: progress, cancellation, deadline
   * @return the result: any value Jackson can write as JSON (a record, a map, a {@code JsonNode})
   * @throws RetryableGenerationException when another attempt may succeed
   * @throws PermanentGenerationException when it will not; any other exception counts as retryable
   */
  Object generate(P payload, JobContext context);
}
