package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/** A generator's attempt failed. See {@link RetryableGenerationException} and {@link PermanentGenerationException}. */
public abstract class GenerationException extends JobException {
  private static final long serialVersionUID = 1L;

  /**
   * A failure with a message a user can act on.
   *
   * @param message what went wrong, for the user
   * @param cause the underlying failure, or {@code null}
   */
  protected GenerationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
