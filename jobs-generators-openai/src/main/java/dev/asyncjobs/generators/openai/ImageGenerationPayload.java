package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of an {@code image_generation} job.
 *
 * @param prompt what to draw; required, at most 3,000 characters
 * @param style {@code realistic}, {@code artistic}, {@code cartoon}, {@code anime}, {@code sketch},
 *     {@code watercolor}, {@code digital_art}, {@code 3d_render} or {@code pixel_art}; shapes the
 *     prompt and, on DALL-E 3, picks the {@code natural} or {@code vivid} style; absent: the prompt
 *     as written
 * @param size {@code standard} (square, the default), {@code wide}, {@code tall}, or {@code WxH}
 *     such as {@code 1200x628}, mapped to the nearest size the model makes
 * @param quality {@code standard} (default) or {@code hd}
 */
public record ImageGenerationPayload(
    String prompt, @Nullable String style, @Nullable String size, @Nullable String quality) {

  /**
   * {@return a payload with only a prompt}
   *
   * @param prompt what to draw
   */
  public static ImageGenerationPayload of(String prompt) {
    return new ImageGenerationPayload(prompt, null, null, null);
  }
}
