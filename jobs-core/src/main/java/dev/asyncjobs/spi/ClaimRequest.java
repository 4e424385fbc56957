package dev.asyncjobs.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A worker's request for due jobs.
 *
 * @param workerId who claims
 * @param types only these types (non-empty)
 * @param limit at most this many jobs
 * @param leaseDuration how long the lease holds before it must be extended
 */
public record ClaimRequest(String workerId, Set<String> types, int limit, Duration leaseDuration) {
  /**
   * Checks values.
   *
   * @param workerId who claims
   * @param types only these types (non-empty)
   * @param limit at most this many jobs
   * @param leaseDuration how long the lease holds before it must be extended
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
}
