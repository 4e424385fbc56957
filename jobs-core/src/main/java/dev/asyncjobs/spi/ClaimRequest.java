package dev.asyncjobs.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A worker's request for due jobs.
 *
 * <p>A store with {@link StoreCapability#LIMITS} claims a job only while every limit on its type
 * and on its {@linkplain NewJob#resources() resources} has room and none of them is paused or
 * backing off, and counts what it claims against them in the same atomic step (see {@link
 * JobStore#defineLimit}).
 *
 * @param workerId who claims
 * @param types only these types (non-empty)
 * @param limit at most this many jobs
 * @param leaseDuration how long the lease holds before it must be extended
 * @param fairBetweenOwners within one priority, take the jobs of different owners in turn rather
 *     than oldest first, so that one owner's backlog does not hold back another's jobs
 */
public record ClaimRequest(
    String workerId,
    Set<String> types,
    int limit,
    Duration leaseDuration,
    boolean fairBetweenOwners) {

  /**
   * A request that takes the oldest jobs first, whoever owns them.
   *
   * @param workerId who claims
   * @param types only these types (non-empty)
   * @param limit at most this many jobs
   * @param leaseDuration how long the lease holds before it must be extended
   */
  public ClaimRequest(String workerId, Set<String> types, int limit, Duration leaseDuration) {
    this(workerId, types, limit, leaseDuration, false);
  }

  /**
   * Checks values and copies the types.
   *
   * @param workerId who claims
   * @param types only these types (non-empty)
   * @param limit at most this many jobs
   * @param leaseDuration how long the lease holds before it must be extended
   * @param fairBetweenOwners take owners in turn within a priority
   */
  public ClaimRequest {
    Objects.requireNonNull(workerId, "workerId");
    types = Set.copyOf(types);
    if (types.isEmpty()) {
      throw new IllegalArgumentException("types must not be empty");
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, was " + leaseDuration);
    }
  }

  /**
   * {@return the same request for at most {@code n} jobs}
   *
   * @param n at least 1
   */
  public ClaimRequest withLimit(int n) {
    return new ClaimRequest(workerId, types, n, leaseDuration, fairBetweenOwners);
  }
}
