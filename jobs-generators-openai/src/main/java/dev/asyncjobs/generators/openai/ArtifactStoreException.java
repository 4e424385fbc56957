package dev.asyncjobs.generators.openai;

import dev.asyncjobs.JobException;
import org.jspecify.annotations.Nullable;

/** An {@link ArtifactStore} could not keep a file. */
public class ArtifactStoreException extends JobException {
  private static final long serialVersionUID = 1L;

  /**
   * A failure with its cause.
   *
   * @param message what failed
   * @param cause the underlying failure, or {@code null}
   */
  public ArtifactStoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "artifact_store_error";
  }
}
