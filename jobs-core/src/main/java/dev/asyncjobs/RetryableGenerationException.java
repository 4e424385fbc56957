package dev.asyncjobs;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failure worth another attempt (rate limit, server error, timeout). With a {@link #retryAfter()}
 * the next attempt waits at least that long; otherwise the worker's backoff decides.
 */
public class RetryableGenerationException extends GenerationException {
  private static final long serialVersionUID = 1L;
  private final @Nullable Duration retryAfter;

  /** A retryable failure. */
  public RetryableGenerationException(String message) {
    this(message, null, null);
  }

  /** A retryable failure that should not be retried before {@code retryAfter}. */
  public RetryableGenerationException(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  /** The least wait before the next attempt, when the remote side said so. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String code() {
    return "retryable_failure";
  }
}
