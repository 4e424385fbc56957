package dev.asyncjobs;

import java.util.List;

/**
 * Checks the text of a payload before a job is created. A refusal stores nothing and reaches the
 * caller as {@link ContentRejectedException}.
 */
@FunctionalInterface
public interface ContentModerator {

  /**
   * Judges the texts of one create.
   *
   * @param ownerId who creates the job
   * @param type the job type
   * @param texts the user-written strings of the payload
   * @return the verdict; may throw {@link JobException} when the moderator cannot decide and is
   *     configured to fail closed
   */
  ModerationResult moderate(String ownerId, String type, List<String> texts);

  /** A moderator that allows everything. */
  static ContentModerator allowAll() {
    return dev.asyncjobs.internal.AllowAllModerator.INSTANCE;
  }
}
