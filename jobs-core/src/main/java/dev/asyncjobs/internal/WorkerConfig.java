package dev.asyncjobs.internal;

import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.Sleeper;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spi.ClaimRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The validated settings of one worker, as {@code JobWorker.Builder} decided them. Immutable.
 *
 * @param workerId the id written into leases
 * @param types the job types this worker claims
 * @param concurrency the most attempts running at once
 * @param typeConcurrency the most attempts of one type running at once, for the types that have a limit
 * @param claimBatchSize the most jobs one claim asks for
 * @param leaseDuration how long a lease holds without a heartbeat
 * @param heartbeatInterval how often leases are extended
 * @param pollInterval the longest wait between claims when no store event arrives
 * @param rescueInterval how often expired leases are looked for
 * @param defaultTimeout the attempt timeout of types without their own
 * @param typeTimeouts attempt timeouts by type
 * @param shutdownGrace how long {@code close()} lets running jobs finish before interrupting them
 * @param executor the host's executor, or {@code null} for the worker's own thread pool
 * @param defaultRetry the retry policy of types without their own
 * @param typeRetry retry policies by type
 * @param pacing the least time between two starts of a type, for the paced types
 * @param progressInterval the least time between two progress writes of one job
 * @param outputInterval the least time between two partial-output writes of one attempt
 * @param maxOutputBytes the most partial output one attempt may stream, in UTF-8 bytes
 * @param maxRateLimitDeferrals how many times a job may be handed back without spending an attempt
 *     after a provider said "rate limited"
 * @param fairBetweenOwners whether claims take owners in turn within a priority
 * @param keepLimitSlots whether a slot this worker's completions free under a binding limit goes to
 *     its next job in the same store call
 * @param sleeper what {@code JobContext.sleep} waits with
 * @param random the source of retry jitter
 * @param listeners metrics hooks
 * @param interceptors wrap every generator call, outermost first
 */
public record WorkerConfig(
    String workerId,
    Set<String> types,
    int concurrency,
    Map<String, Integer> typeConcurrency,
    int claimBatchSize,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration pollInterval,
    Duration rescueInterval,
    Duration defaultTimeout,
    Map<String, Duration> typeTimeouts,
    Duration shutdownGrace,
    @Nullable Executor executor,
    RetryPolicy defaultRetry,
    Map<String, RetryPolicy> typeRetry,
    Map<String, Duration> pacing,
    Duration progressInterval,
    Duration outputInterval,
    long maxOutputBytes,
    int maxRateLimitDeferrals,
    boolean fairBetweenOwners,
    boolean keepLimitSlots,
    Sleeper sleeper,
    RandomGenerator random,
    List<WorkerListener> listeners,
    List<AttemptInterceptor> interceptors) {

  /** Copies the collections. */
  public WorkerConfig {
    types = Set.copyOf(types);
    typeConcurrency = Map.copyOf(typeConcurrency);
    typeTimeouts = Map.copyOf(typeTimeouts);
    typeRetry = Map.copyOf(typeRetry);
    pacing = Map.copyOf(pacing);
    listeners = List.copyOf(listeners);
    interceptors = List.copyOf(interceptors);
  }

  /**
   * {@return this worker's request for up to {@code limit} due jobs of {@code claimTypes}}
   *
   * @param claimTypes the types to claim (non-empty)
   * @param limit at least 1
   */
  public ClaimRequest claimRequest(Set<String> claimTypes, int limit) {
    return new ClaimRequest(workerId, claimTypes, limit, leaseDuration, fairBetweenOwners);
  }

  /** The attempt timeout of a type. */
  public Duration timeout(String type) {
    return typeTimeouts.getOrDefault(type, defaultTimeout);
  }

  /** The retry policy of a type. */
  public RetryPolicy retryPolicy(String type) {
    return typeRetry.getOrDefault(type, defaultRetry);
  }
}
