package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/** A failure that another attempt would repeat (bad request, refused content): the job fails at once. */
public class PermanentGenerationException extends GenerationException {
  private static final long serialVersionUID = 1L;

  /**
   * A permanent failure.
   *
   * @param message what went wrong, for the user
   */
  public PermanentGenerationException(String message) {
    super(message, null);
  }

  /**
   * A permanent failure with a cause.
   *
   * @param message what went wrong, for the user
   * @param cause the underlying failure, or {@code null}
   */
  public PermanentGenerationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "permanent_failure";
  }
}
