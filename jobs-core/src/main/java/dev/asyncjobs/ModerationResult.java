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

  /** Copies the set. */
  public ModerationResult {
    categories = Set.copyOf(categories);
    Objects.requireNonNull(reason, "reason");
  }

  /** Nothing fired. */
  public static ModerationResult allowed() {
    return new ModerationResult(false, Set.of(), "");
  }

  /** Refused for {@code categories}. */
  public static ModerationResult flagged(Set<String> categories, String reason) {
    return new ModerationResult(true, categories, reason);
  }
}
