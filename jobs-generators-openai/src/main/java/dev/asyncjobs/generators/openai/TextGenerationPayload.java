package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@code text_generation} job.
 *
 * @param prompt what to write about, or the text to summarize; required, at most 8,000 characters
 * @param kind {@code article} (default), {@code blog_post}, {@code email}, {@code social_post},
 *     {@code product_description}, {@code summary}, {@code ad_copy} or {@code story}
 * @param tone {@code neutral} (default), {@code professional}, {@code friendly}, {@code casual},
 *     {@code formal}, {@code persuasive}, {@code humorous}, {@code enthusiastic} or {@code empathetic}
 * @param audience who will read it, in the user's words; at most 200 characters
 * @param length {@code short} (about 100 words), {@code medium} (about 300, default) or {@code long}
 *     (about 800)
 */
public record TextGenerationPayload(
    String prompt, @Nullable String kind, @Nullable String tone, @Nullable String audience, @Nullable String length) {

  /**
   * {@return a payload with only a prompt}
   *
   * @param prompt what to write
   */
  public static TextGenerationPayload of(String prompt) {
    return new TextGenerationPayload(prompt, null, null, null, null);
  }
}
