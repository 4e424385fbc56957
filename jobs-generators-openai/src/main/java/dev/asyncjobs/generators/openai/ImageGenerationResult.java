package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of an {@code image_generation} job.
 *
 * @param images the images made (one)
 * @param model the image model
 * @param style the style asked for, if any
 * @param requestedSize the size as asked ({@code standard}, {@code wide}, {@code 1200x628}…)
 * @param size the size generated, {@code WxH}
 * @param quality the quality value sent to the model, if it takes one
 * @param prompt the prompt sent, after the style was applied
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageGenerationResult(
    List<GeneratedImage> images,
    String model,
    @Nullable String style,
    String requestedSize,
    String size,
    @Nullable String quality,
    String prompt) {

  /**
   * Copies the list.
   *
   * @param images the images made (one)
   * @param model the image model
   * @param style the style asked for, if any
   * @param requestedSize the size as asked ({@code standard}, {@code wide}, {@code 1200x628}…)
   * @param size the size generated, {@code WxH}
   * @param quality the quality value sent to the model, if it takes one
   * @param prompt the prompt sent, after the style was applied
   */
  public ImageGenerationResult {
    images = List.copyOf(images);
  }
}
