package dev.asyncjobs;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failure worth another attempt (rate limit, server error, timeout). With a {@link #retryAfter()}
 * the next attempt waits at least that long; otherwise the worker's backoff decides.
 */
public class RetryableGenerationException extends GenerationException {
  private static final long serialVersionUID = 1L;
  /** The least wait before the next attempt, or {@code null}. */
  private final @Nullable Duration retryAfter;

  /**
   * A retryable failure.
   *
   * @param message what went wrong, for the user
   */
  public RetryableGenerationException(String message) {
    this(message, null, null);
  }

  /**
   * A retryable failure that should not be retried before {@code retryAfter}.
   *
   * @param message what went wrong, for the user
   * @param retryAfter the least wait before the next attempt, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public RetryableGenerationException(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  /**
   * The least wait before the next attempt, when the remote side said so.
   *
   * @return the least wait, or {@code null} when the remote side said nothing
   */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String code() {
    return "retryable_failure";
  }
}
