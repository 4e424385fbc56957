package dev.asyncjobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An offline moderator that refuses texts containing listed words (whole words, any case). Meant
 * for demos, tests and as a cheap first line before a remote moderation service.
 */
public final class KeywordContentModerator implements ContentModerator {
  private final Map<String, Pattern> patternByCategory;

  private KeywordContentModerator(Map<String, Pattern> patternByCategory) {
    this.patternByCategory = Map.copyOf(patternByCategory);
  }

  /**
   * Starts an empty word list.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Never: the word list is checked in this process. */
  @Override
  public boolean callsOut() {
    return false;
  }

  @Override
  public ModerationResult moderate(String ownerId, String type, List<String> texts) {
    Set<String> fired = new TreeSet<>();
    for (String text : texts) {
      String lower = text.toLowerCase(Locale.ROOT);
      patternByCategory.forEach((category, p) -> {
        if (p.matcher(lower).find()) {
          fired.add(category);
        }
      });
    }
    return fired.isEmpty()
        ? ModerationResult.allowed()
        : ModerationResult.flagged(fired, "the text contains words not allowed in " + String.join(", ", fired));
  }

  /** Builds a {@link KeywordContentModerator}. */
  public static final class Builder {
    private final Map<String, Set<String>> words = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Refuses texts with any of the {@code blocked} words under {@code category}.
     *
     * @param category the category reported when a word is found, e.g. {@code violence}
     * @param blocked the words, matched whole and in any case
     * @return this builder
     */
    public Builder block(String category, String... blocked) {
      if (blocked.length == 0) {
        throw new JobConfigurationException("block(" + category + ") needs at least one word");
      }
      words.computeIfAbsent(category, c -> new TreeSet<>()).addAll(List.of(blocked));
      return this;
    }

    /** {@return the moderator} */
    public KeywordContentModerator build() {
      Map<String, Pattern> patterns = new LinkedHashMap<>();
      words.forEach((category, ws) -> {
        StringBuilder regex = new StringBuilder("\\b(?:");
        String sep = "";
        for (String w : ws) {
          regex.append(sep).append(Pattern.quote(w.toLowerCase(Locale.ROOT)));
          sep = "|";
        }
        patterns.put(category, Pattern.compile(regex.append(")\\b").toString()));
      });
      return new KeywordContentModerator(patterns);
    }
  }
}
