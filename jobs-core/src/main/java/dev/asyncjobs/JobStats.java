package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Counts and timings of one job type.
 *
 * @param type the job type
 * @param pending jobs waiting
 * @param processing jobs running
 * @param completed jobs finished with a result
 * @param failed jobs failed for good
 * @param cancelled jobs cancelled
 * @param averageDuration mean {@code actualDuration} of completed jobs, if any completed
 * @param p50Duration median of it
 * @param p95Duration 95th percentile of it
 * @param p99Duration 99th percentile of it
 */
public record JobStats(
    String type,
    long pending,
    long processing,
    long completed,
    long failed,
    long cancelled,
    @Nullable Duration averageDuration,
    @Nullable Duration p50Duration,
    @Nullable Duration p95Duration,
    @Nullable Duration p99Duration) {

  /**
   * Checks nullness.
   *
   * @param type the job type
   * @param pending jobs waiting
   * @param processing jobs running
   * @param completed jobs finished with a result
   * @param failed jobs failed for good
   * @param cancelled jobs cancelled
   * @param averageDuration mean {@code actualDuration} of completed jobs, if any completed
   * @param p50Duration median of it
   * @param p95Duration 95th percentile of it
   * @param p99Duration 99th percentile of it
   */
  public JobStats {
    Objects.requireNonNull(type, "type");
  }

  /** {@return all jobs counted} */
  public long total() {
    return pending + processing + completed + failed + cancelled;
  }

  /**
   * Completed divided by finished-and-not-cancelled (completed + failed); {@code null} when none
   * has finished yet.
   *
   * @return the success rate between 0 and 1, or {@code null}
   */
  public @Nullable Double successRate() {
    long done = completed + failed;
    return done == 0 ? null : (double) completed / done;
  }
}
