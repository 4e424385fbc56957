package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code image_generation}: draws SVG pictures from the prompt. */
public final class ImageGenerationDemo implements Generator<ImageGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "image_generation";

  private static final Set<String> SIZES = Set.of("256x256", "512x512", "1024x1024", "1792x1024", "1024x1792");
  private static final Set<String> STYLES = Set.of("vivid", "natural");
  private static final List<String> STAGES =
      List.of("queued on the demo GPU", "encoding the prompt", "denoising 10/40", "denoising 20/40",
          "denoising 30/40", "denoising 40/40", "upscaling", "safety check");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public ImageGenerationDemo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * What to draw.
   *
   * @param prompt what the picture shows (required)
   * @param size {@code WIDTHxHEIGHT}, one of the usual sizes; default 1024x1024
   * @param style {@code vivid} or {@code natural}; default vivid
   * @param n how many pictures, 1–4; default 1
   */
  public record Payload(@Nullable String prompt, @Nullable String size, @Nullable String style, @Nullable Integer n) {}

  /**
   * One picture.
   *
   * @param url a {@code data:image/svg+xml} URL
   * @param width pixels
   * @param height pixels
   * @param revisedPrompt the prompt as the model read it
   */
  public record Image(String url, int width, int height, String revisedPrompt) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param style the style used
   * @param images the pictures
   */
  public record Result(boolean demo, String model, String style, List<Image> images) {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<Payload> payloadType() {
    return Payload.class;
  }

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt());
    DemoChecks.oneOf("size", p.size(), SIZES, "1024x1024");
    DemoChecks.oneOf("style", p.style(), STYLES, "vivid");
    DemoChecks.range("n", p.n(), 1, 4, 1);
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
    String prompt = DemoChecks.prompt(p.prompt());
    String style = DemoChecks.oneOf("style", p.style(), STYLES, "vivid");
    String[] size = DemoChecks.oneOf("size", p.size(), SIZES, "1024x1024").split("x");
    int width = Integer.parseInt(size[0]);
    int height = Integer.parseInt(size[1]);
    DemoStages.run(context, settings, STAGES);
    String revised = prompt + ", " + style + " colours, soft light, detailed";
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < DemoChecks.range("n", p.n(), 1, 4, 1); i++) {
      List<String> palette = DemoArt.palette(prompt + "#" + i + style, 4);
      images.add(new Image(DemoArt.dataUrl(DemoArt.scene(prompt, width, height, palette)), width, height, revised));
    }
    return new Result(true, "demo-image-1", style, images);
  }
}
