package dev.asyncjobs;

import java.util.Objects;
import java.util.Set;

/**
 * A moderator's verdict.
 *
 * @param flagged whether the text is refused
 * @param categories the categories that fired (empty when allowed)
 * @param reason a short reason for the user
 */
public record ModerationResult(boolean flagged, Set<String> categories, String reason) {

  /**
   * Copies the set.
   *
   * @param flagged whether the text is refused
   * @param categories the categories that fired (empty when allowed)
   * @param reason a short reason for the user
   */
  public ModerationResult {
    categories = Set.copyOf(categories);
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * Nothing fired.
   *
   * @return a result that allows the text
   */
  public static ModerationResult allowed() {
    return new ModerationResult(false, Set.of(), "");
  }

  /**
   * Refused for {@code categories}.
   *
   * @param categories the categories that fired
   * @param reason why, for the user
   * @return a result that refuses the text
   */
  public static ModerationResult flagged(Set<String> categories, String reason) {
    return new ModerationResult(true, categories, reason);
  }
}
