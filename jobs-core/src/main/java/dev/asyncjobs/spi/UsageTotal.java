package dev.asyncjobs.spi;

import dev.asyncjobs.Usage;
import java.util.Objects;

/**
 * What the jobs of one type consumed in a window, as {@link JobStore#usageByType} adds it up.
 *
 * @param type the job type
 * @param jobs how many jobs of the type were created in the window, with usage or without
 * @param usage what their attempts consumed, added up
 */
public record UsageTotal(String type, long jobs, Usage usage) {
  /**
   * Checks the values.
   *
   * @param type the job type
   * @param jobs at least 0
   * @param usage the sum
   */
  public UsageTotal {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(usage, "usage");
    if (jobs < 0) {
      throw new IllegalArgumentException("jobs must not be negative, was " + jobs);
    }
  }
}
