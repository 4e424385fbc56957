package dev.asyncjobs;

import java.time.Instant;
import java.util.Objects;

/**
 * How many jobs of one type finished in one time bucket, by final status ({@link
 * JobAdmin#throughput}): what an operator's throughput chart plots.
 *
 * @param type the job type
 * @param from the bucket's start (its width is the one asked for)
 * @param completed jobs that completed in it
 * @param failed jobs that failed for good in it
 * @param cancelled jobs cancelled in it
 */
public record FinishedCount(String type, Instant from, long completed, long failed, long cancelled) {
  /**
   * Checks the values.
   *
   * @param type the job type
   * @param from the bucket's start
   * @param completed completed jobs, not negative
   * @param failed failed jobs, not negative
   * @param cancelled cancelled jobs, not negative
   */
  public FinishedCount {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(from, "from");
    if (completed < 0 || failed < 0 || cancelled < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  /** {@return every job that finished in the bucket} */
  public long total() {
    return completed + failed + cancelled;
  }
}
