package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.GeneratedImage;
import dev.asyncjobs.generators.openai.ImageGenerationPayload;
import dev.asyncjobs.generators.openai.ImageGenerationResult;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** {@code image_generation}: one image from a prompt, a style and a size, with the images endpoint. */
public final class ImageGenerator extends PlannedGenerator<ImageGenerationPayload, ImageGenerator.Plan> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.IMAGE.name();
  static final String MODEL_SETTING = "openai.imageModel";
  static final String WHAT = "image generation";

  /** A style: how it shapes the prompt and which DALL-E 3 style it picks. */
  enum Style implements Choice {
    REALISTIC("realistic", "natural", "A photorealistic photograph with natural lighting and fine detail: "),
    ARTISTIC("artistic", "vivid", "An expressive, painterly work of art with visible brushwork: "),
    CARTOON("cartoon", "vivid", "A colorful cartoon illustration with clean bold outlines: "),
    ANIME("anime", "vivid", "An anime-style illustration with cel shading: "),
    SKETCH("sketch", "natural", "A pencil sketch in monochrome line art: "),
    WATERCOLOR("watercolor", "natural", "A soft watercolor painting on textured paper: "),
    DIGITAL_ART("digital_art", "vivid", "A detailed piece of digital art: "),
    RENDER_3D("3d_render", "vivid", "A 3D render with studio lighting and realistic materials: "),
    PIXEL_ART("pixel_art", "vivid", "Retro 16-bit pixel art: ");

    private final String wire;
    final String dalle3Style;
    final String lead;

    Style(String wire, String dalle3Style, String lead) {
      this.wire = wire;
      this.dalle3Style = dalle3Style;
      this.lead = lead;
    }

    @Override
    public String wire() {
      return wire;
    }
  }

  /** A quality. */
  enum Quality implements Choice {
    STANDARD, HD
  }

  /** The sizes by shape rather than by pixels. */
  enum NamedSize implements Choice {
    STANDARD(new ImageSize(1024, 1024)), WIDE(new ImageSize(1792, 1024)), TALL(new ImageSize(1024, 1792));

    final ImageSize shape;

    NamedSize(ImageSize shape) {
      this.shape = shape;
    }
  }

  /** What a payload asks for, checked and resolved for the model. */
  record Plan(String prompt, @Nullable Style style, String requestedSize, ImageSize size, boolean hd) {}

  private final String model;
  private final ImageModelFamily family;
  private final ImagePipeline pipeline;

  /** The generator for {@code model}. */
  public ImageGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.IMAGE, ImageGenerationPayload::prompt, model);
    this.model = model;
    this.family = ImageModelFamily.of(model);
    this.pipeline = new ImagePipeline(backend);
  }

  @Override
  public Duration estimate(ImageGenerationPayload payload) {
    return "hd".equalsIgnoreCase(String.valueOf(payload.quality())) ? Duration.ofSeconds(30) : Duration.ofSeconds(20);
  }

  /** {@return 1: each job asks for one image ({@code n = 1})} */
  @Override
  public long estimateUnits(ImageGenerationPayload payload) {
    return 1;
  }

  @Override
  Object run(Plan plan, JobContext context) {
    String quality = family.quality(plan.hd());
    String prompt = plan.style() == null ? plan.prompt() : plan.style().lead + plan.prompt();
    List<GeneratedImage> images =
        pipeline.run(
            context,
            new ImagePipeline.Request(
                WHAT, model, MODEL_SETTING, prompt, plan.size(), quality,
                plan.style() == null ? null : plan.style().dalle3Style));
    images.forEach(context::emitPart); // each image as a part of the streamed output, once it is stored
    return new ImageGenerationResult(
        images, model, plan.style() == null ? null : plan.style().wire(), plan.requestedSize(), plan.size().wire(),
        quality, prompt);
  }

  @Override
  Plan plan(ImageGenerationPayload p) {
    int maxPrompt = family == ImageModelFamily.DALL_E_2 ? 900 : 3000;
    String prompt = PayloadRules.requiredText("payload.prompt", p.prompt(), maxPrompt);
    Style style = p.style() == null ? null : PayloadRules.choice("payload.style", p.style(), Style.class, Style.REALISTIC);
    Quality quality = PayloadRules.choice("payload.quality", p.quality(), Quality.class, Quality.STANDARD);
    String requested = p.size() == null ? NamedSize.STANDARD.wire() : p.size().strip();
    return new Plan(prompt, style, requested, size(requested), quality == Quality.HD);
  }

  private ImageSize size(String requested) {
    String named = requested.toLowerCase(Locale.ROOT);
    for (NamedSize n : NamedSize.values()) {
      if (n.wire().equals(named)) {
        return n == NamedSize.STANDARD ? family.square() : n.shape.nearest(family.sizes());
      }
    }
    ImageSize explicit = ImageSize.parse(requested);
    if (explicit == null) {
      throw new InvalidPayloadException(
          "payload.size",
          "payload.size must be one of " + PayloadRules.allowed(NamedSize.class)
              + ", or WIDTHxHEIGHT such as 1200x628, was '" + PayloadRules.abbreviate(requested) + "'");
    }
    return ImageSize.checked("payload.size", explicit.width(), explicit.height()).nearest(family.sizes());
  }
}
