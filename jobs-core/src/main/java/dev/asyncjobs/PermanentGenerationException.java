package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/** A failure that another attempt would repeat (bad request, refused content): the job fails at once. */
public class PermanentGenerationException extends GenerationException {
  private static final long serialVersionUID = 1L;

  /** A permanent failure. */
  public PermanentGenerationException(String message) {
    super(message, null);
  }

  /** A permanent failure with a cause. */
  public PermanentGenerationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "permanent_failure";
  }
}
