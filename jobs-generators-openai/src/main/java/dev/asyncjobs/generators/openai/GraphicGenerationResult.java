package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@code graphic_generation} job.
 *
 * @param images the graphics made (one)
 * @param kind logo, poster, banner, social or icon
 * @param model the image model
 * @param requestedSize the {@code WxH} asked for, if any
 * @param size the size generated, {@code WxH}: the one the model makes that is nearest in shape
 * @param sizeNote how the generated size relates to the requested one, for the user
 * @param prompt the prompt sent, after the kind's design brief was applied
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GraphicGenerationResult(
    List<GeneratedImage> images,
    String kind,
    String model,
    @Nullable String requestedSize,
    String size,
    String sizeNote,
    String prompt) {

  /**
   * Copies the list.
   *
   * @param images the graphics made (one)
   * @param kind logo, poster, banner, social or icon
   * @param model the image model
   * @param requestedSize the {@code WxH} asked for, if any
   * @param size the size generated, {@code WxH}: the one the model makes that is nearest in shape
   * @param sizeNote how the generated size relates to the requested one, for the user
   * @param prompt the prompt sent, after the kind's design brief was applied
   */
  public GraphicGenerationResult {
    images = List.copyOf(images);
  }
}
