package dev.asyncjobs.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * A new job's answer from the result cache ({@link NewJob#cached()}): the store inserts the job
 * COMPLETED at once with this result.
 *
 * @param from the completed job whose result is reused (itself never a cached copy: the original)
 * @param resultJson its result, JSON text
 */
public record CachedResult(UUID from, String resultJson) {
  /**
   * Checks nullness.
   *
   * @param from the original job
   * @param resultJson its result
   */
  public CachedResult {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(resultJson, "resultJson");
  }
}
