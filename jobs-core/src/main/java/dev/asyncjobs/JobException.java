package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/**
 * The root of every error asyncjobs throws. Unchecked. Each subclass carries the ids and figures a
 * caller needs, and a stable {@link #code()} that an HTTP layer can map without parsing messages.
 */
public class JobException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with a message.
   *
   * @param message the message
   */
  public JobException(String message) {
    super(message);
  }

  /**
   * An error with a message and a cause.
   *
   * @param message the message
   * @param cause the underlying failure, or {@code null}
   */
  public JobException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** {@return a short, stable, machine-readable code, e.g} {@code quota_exceeded}. */
  public String code() {
    return "job_error";
  }
}
