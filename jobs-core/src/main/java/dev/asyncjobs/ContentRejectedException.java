package dev.asyncjobs;

import java.util.Set;
import java.util.TreeSet;

/** A {@link ContentModerator} refused the payload's text (HTTP 422). Nothing was stored. */
public class ContentRejectedException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The categories that fired. */
  private final Set<String> categories;

  /**
   * Refused for {@code categories}, with the moderator's {@code reason}.
   *
   * @param categories the categories that fired
   * @param reason the moderator's reason, for the user
   */
  public ContentRejectedException(Set<String> categories, String reason) {
    super("content rejected by moderation (" + String.join(", ", new TreeSet<>(categories)) + "): " + reason);
    this.categories = Set.copyOf(categories);
  }

  /** {@return the categories that fired, e.g} {@code violence}. */
  public Set<String> categories() {
    return categories;
  }

  @Override
  public String code() {
    return "content_rejected";
  }
}
