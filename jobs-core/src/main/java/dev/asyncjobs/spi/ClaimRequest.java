package dev.asyncjobs.spi;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A worker's request for due jobs.
 *
 * <p>A store with {@link StoreCapability#LIMITS} claims a job only while every limit on its type
 * and on its type's {@link #resources()} has room, none of them is paused or backing off, and
 * counts what it claims against them in the same atomic step (see {@link JobStore#defineLimit}).
 *
 * @param workerId who claims
 * @param types only these types (non-empty)
 * @param limit at most this many jobs
 * @param leaseDuration how long the lease holds before it must be extended
 * @param resources the resource keys each type's generator declares ({@link
 *     dev.asyncjobs.Generator#resources()}); a type without an entry declares none. A type's own
 *     name is always one of its limit names, whether listed or not.
 * @param fairBetweenOwners within one priority, take the jobs of different owners in turn rather
 *     than oldest first, so that one owner's backlog does not hold back another's jobs
 */
public record ClaimRequest(
    String workerId,
    Set<String> types,
    int limit,
    Duration leaseDuration,
    Map<String, Set<String>> resources,
    boolean fairBetweenOwners) {

  /**
   * A request without resources, oldest first.
   *
   * @param workerId who claims
   * @param types only these types (non-empty)
   * @param limit at most this many jobs
   * @param leaseDuration how long the lease holds before it must be extended
   */
  public ClaimRequest(String workerId, Set<String> types, int limit, Duration leaseDuration) {
    this(workerId, types, limit, leaseDuration, Map.of(), false);
  }

  /**
   * Checks values and copies the collections.
   *
   * @param workerId who claims
   * @param types only these types (non-empty)
   * @param limit at most this many jobs
   * @param leaseDuration how long the lease holds before it must be extended
   * @param resources the resource keys of each type
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
    Map<String, Set<String>> copy = new HashMap<>();
    resources.forEach((type, keys) -> {
      if (!keys.isEmpty()) {
        copy.put(type, Set.copyOf(keys));
      }
    });
    resources = Map.copyOf(copy);
  }

  /**
   * {@return every limit name a job of {@code type} falls under: the type itself and its resources}
   *
   * @param type a job type
   */
  public Set<String> limitNames(String type) {
    Set<String> keys = resources.get(type);
    if (keys == null) {
      return Set.of(type);
    }
    java.util.Set<String> all = new java.util.TreeSet<>(keys);
    all.add(type);
    return all;
  }

  /**
   * {@return the same request for at most {@code n} jobs}
   *
   * @param n at least 1
   */
  public ClaimRequest withLimit(int n) {
    return new ClaimRequest(workerId, types, n, leaseDuration, resources, fairBetweenOwners);
  }
}
