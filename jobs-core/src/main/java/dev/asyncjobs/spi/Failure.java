package dev.asyncjobs.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One failed attempt to record with {@link JobStore#fail}: back to PENDING at {@code retryAt} when
 * the job has attempts left, FAILED for good otherwise or when {@code retryAt} is {@code null}.
 *
 * <p>A {@linkplain #deferred() deferred} failure (a provider said "rate limited") does not count:
 * the store takes the attempt back ({@code attempts - 1}), adds one to {@link
 * dev.asyncjobs.Job#deferrals()}, and puts the job back to PENDING at {@code retryAt} whatever
 * attempts it has left (unless its owner asked to cancel it). The worker decides whether a job may
 * still be deferred.
 *
 * @param lease the lease the worker holds
 * @param errorMessage what went wrong, kept on the job
 * @param retryAt when to run the job again, or {@code null} to fail it for good
 * @param deferred the attempt is handed back without counting
 */
public record Failure(Lease lease, String errorMessage, @Nullable Instant retryAt, boolean deferred) {

  /**
   * Checks nullness; a deferred failure needs a {@code retryAt}.
   *
   * @param lease the lease the worker holds
   * @param errorMessage what went wrong, kept on the job
   * @param retryAt when to run the job again, or {@code null} to fail it for good
   * @param deferred the attempt is handed back without counting
   */
  public Failure {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(errorMessage, "errorMessage");
    if (deferred && retryAt == null) {
      throw new IllegalArgumentException("a deferred failure needs a retryAt");
    }
  }

  /**
   * A failure that counts as an attempt.
   *
   * @param lease the lease the worker holds
   * @param errorMessage what went wrong, kept on the job
   * @param retryAt when to run the job again, or {@code null} to fail it for good
   */
  public Failure(Lease lease, String errorMessage, @Nullable Instant retryAt) {
    this(lease, errorMessage, retryAt, false);
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

  /**
   * {@return a failure that hands the attempt back: PENDING again at {@code retryAt}, the attempt
   * not counted}
   *
   * @param lease the lease the worker holds
   * @param errorMessage what the provider said
   * @param retryAt when the provider lets the job run again
   */
  public static Failure deferred(Lease lease, String errorMessage, Instant retryAt) {
    return new Failure(lease, errorMessage, Objects.requireNonNull(retryAt, "retryAt"), true);
  }
}
