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

  /**
   * Whether {@link #moderate} calls out (a remote and perhaps paid service). For such a moderator
   * {@link JobManager} first makes its cheap checks (an idempotent replay, the owner's quota), so
   * that a request refused or repeated anyway costs no call; a local moderator answers as cheaply
   * as those checks and is asked directly. Default true.
   *
   * @return whether moderating calls out
   */
  default boolean callsOut() {
    return true;
  }

  /** {@return a moderator that allows everything} */
  static ContentModerator allowAll() {
    return dev.asyncjobs.internal.AllowAllModerator.INSTANCE;
  }
}
