package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code image_generation}: draws an SVG picture from the prompt. Payload and result have the
 * shape of the OpenAI image generator's, with {@code "demo": true}.
 */
public final class ImageGenerationDemo extends AbstractGenerator<ImageGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "image_generation";

  static final List<String> STYLES =
      List.of("realistic", "artistic", "cartoon", "anime", "sketch", "watercolor", "digital_art", "3d_render", "pixel_art");
  private static final List<String> QUALITIES = List.of("standard", "hd");
  private static final List<String> STAGES =
      List.of("queued on the demo GPU", "encoding the prompt", "denoising 10/40", "denoising 20/40",
          "denoising 30/40", "denoising 40/40", "upscaling", "safety check");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public ImageGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to draw.
   *
   * @param prompt what the picture shows (required, at most 3,000 characters)
   * @param style realistic, artistic, cartoon, anime, sketch, watercolor, digital_art, 3d_render or
   *     pixel_art; absent: the prompt as written
   * @param size {@code standard} (square, default), {@code wide}, {@code tall}, or {@code WxH}
   * @param quality {@code standard} (default) or {@code hd}
   */
  public record Payload(@Nullable String prompt, @Nullable String style, @Nullable String size, @Nullable String quality) {}

  /**
   * One picture.
   *
   * @param url a {@code data:image/svg+xml} URL
   * @param revisedPrompt the prompt as the model read it
   */
  public record Image(String url, String revisedPrompt) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param images the picture (one)
   * @param model the demo model's name
   * @param style the style asked for, if any
   * @param requestedSize the size as asked
   * @param size the size made, {@code WxH}
   * @param quality the quality asked for
   * @param prompt the prompt after the style was applied
   */
  public record Result(boolean demo, List<Image> images, String model, @Nullable String style, String requestedSize,
      String size, String quality, String prompt) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 3000);
    if (p.style() != null) {
      DemoChecks.oneOf("style", p.style(), STYLES, "");
    }
    pixels(p.size());
    DemoChecks.oneOf("quality", p.quality(), QUALITIES, "standard");
  }

  @Override
  public Duration estimate(Payload payload) {
    return settings.duration(STAGES.size());
  }

  @Override
  public List<String> moderationText(Payload p) {
    return p.prompt() == null ? List.of() : List.of(p.prompt());
  }

  @Override
  public Object generate(Payload p, JobContext context) {
    String prompt = DemoChecks.prompt(p.prompt(), 3000);
    String style = p.style() == null ? null : DemoChecks.oneOf("style", p.style(), STYLES, "");
    int[] size = pixels(p.size());
    DemoStages.run(context, settings, STAGES);
    String sent = style == null ? prompt : "A " + style.replace('_', ' ') + " picture: " + prompt;
    String svg = DemoArt.scene(prompt, size[0], size[1], DemoArt.palette(prompt + style, 4));
    Image image = new Image(DemoArt.dataUrl(svg), sent + ", soft light, detailed");
    context.emitPart(image); // as the OpenAI image generator does: each image as a part, before the result
    context.reportUsage(dev.asyncjobs.Usage.of("demo-image-1").images(1).build());
    return new Result(true, List.of(image), "demo-image-1",
        style, p.size() == null ? "standard" : p.size(), size[0] + "x" + size[1],
        DemoChecks.oneOf("quality", p.quality(), QUALITIES, "standard"), sent);
  }

  /** The pixels of a size: standard, wide, tall, or an explicit WxH of 16–8192 each. */
  static int[] pixels(@Nullable String size) {
    if (size == null || size.equalsIgnoreCase("standard")) {
      return new int[] {1024, 1024};
    }
    if (size.equalsIgnoreCase("wide")) {
      return new int[] {1792, 1024};
    }
    if (size.equalsIgnoreCase("tall")) {
      return new int[] {1024, 1792};
    }
    String[] parts = size.toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      int w = Integer.parseInt(parts[0].strip());
      int h = Integer.parseInt(parts[1].strip());
      if (parts.length == 2 && w >= 16 && w <= 8192 && h >= 16 && h <= 8192) {
        return new int[] {w, h};
      }
    } catch (RuntimeException e) {
      // falls through to the error below
    }
    throw new InvalidPayloadException(
        "payload.size", "size must be standard, wide, tall or WxH with sides of 16-8192, was '" + size + "'");
  }
}
