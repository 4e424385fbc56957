package dev.asyncjobs.generators.openai;

import dev.asyncjobs.JobException;
import org.jspecify.annotations.Nullable;

/**
 * The moderation service could not judge a text and the moderator fails closed (the default):
 * the job was not created. An HTTP layer answers 503; the caller may try again later.
 */
public class ModerationUnavailableException extends JobException {
  private static final long serialVersionUID = 1L;

  /**
   * An outage, with its cause.
   *
   * @param message what failed
   * @param cause the underlying failure, or {@code null}
   */
  public ModerationUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "moderation_unavailable";
  }
}
