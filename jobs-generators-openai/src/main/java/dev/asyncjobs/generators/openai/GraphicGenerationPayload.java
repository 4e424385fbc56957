package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@code graphic_generation} job.
 *
 * @param prompt what the graphic shows or says; required, at most 3,000 characters
 * @param kind {@code logo} (default), {@code poster}, {@code banner}, {@code social} or {@code icon}
 * @param width wanted width in pixels (16–8192), together with {@code height}; absent: the kind's
 *     usual shape
 * @param height wanted height in pixels (16–8192), together with {@code width}
 */
public record GraphicGenerationPayload(
    String prompt, @Nullable String kind, @Nullable Integer width, @Nullable Integer height) {

  /**
   * {@return a payload with only a prompt and a kind}
   *
   * @param prompt what to draw
   * @param kind the kind of graphic
   */
  public static GraphicGenerationPayload of(String prompt, String kind) {
    return new GraphicGenerationPayload(prompt, kind, null, null);
  }
}
