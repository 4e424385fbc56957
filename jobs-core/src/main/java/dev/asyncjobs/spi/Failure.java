package dev.asyncjobs.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One failed attempt to record with {@link JobStore#fail}: back to PENDING at {@code retryAt} when
 * the job has attempts left, FAILED for good otherwise or when {@code retryAt} is {@code null}.
 *
 * @param lease the lease the worker holds
 * @param errorMessage what went wrong, kept on the job
 * @param retryAt when to run the job again, or {@code null} to fail it for good
 */
public record Failure(Lease lease, String errorMessage, @Nullable Instant retryAt) {

  /**
   * Checks nullness.
   *
   * @param lease the lease the worker holds
   * @param errorMessage what went wrong, kept on the job
   * @param retryAt when to run the job again, or {@code null} to fail it for good
   */
  public Failure {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  /**
   * {@return a failure that ends the job FAILED, whatever attempts it has left}
   *
   * @param lease the lease the worker holds
   * @param errorMessage what went wrong
   */
  public static Failure permanent(Lease lease, String errorMessage) {
    return new Failure(lease, errorMessage, null);
  }
}
