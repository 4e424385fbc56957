package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.GeneratedImage;
import dev.asyncjobs.generators.openai.GraphicGenerationPayload;
import dev.asyncjobs.generators.openai.GraphicGenerationResult;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code graphic_generation}: a logo, poster, banner, social post or icon. Each kind adds a design
 * brief to the prompt and has a usual shape; a custom width × height is mapped to the nearest size
 * the model makes, and the result says which one was used.
 */
public final class GraphicGenerator extends PlannedGenerator<GraphicGenerationPayload, GraphicGenerator.Plan> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.GRAPHIC.name();
  static final String MODEL_SETTING = "openai.graphicModel";
  static final String WHAT = "graphic generation";

  /** A kind of graphic: its usual shape and design brief. */
  enum Kind implements Choice {
    LOGO(new ImageSize(1024, 1024),
        "A clean, modern logo. Flat vector style, simple memorable shapes, limited color palette, centered on a plain "
            + "white background, no mockup. Subject: "),
    POSTER(new ImageSize(1024, 1792),
        "A striking poster design in portrait format. Bold composition, strong visual hierarchy, room for a headline, "
            + "print-ready. Subject: "),
    BANNER(new ImageSize(1792, 1024),
        "A wide web banner. Horizontal composition with the focal point to one side and calm space for a headline. "
            + "Subject: "),
    SOCIAL(new ImageSize(1024, 1024),
        "A social media post graphic. Eye-catching, high contrast, legible at small sizes. Subject: "),
    ICON(new ImageSize(1024, 1024),
        "A simple app icon. One centered symbol, flat design, bold silhouette, rounded-square background, no text. "
            + "Subject: ");

    final ImageSize shape;
    final String brief;

    Kind(ImageSize shape, String brief) {
      this.shape = shape;
      this.brief = brief;
    }
  }

  /** What a payload asks for, checked and resolved for the model. */
  record Plan(String prompt, Kind kind, @Nullable ImageSize requested, ImageSize size) {}

  private final String model;
  private final ImageModelFamily family;
  private final ImagePipeline pipeline;

  /** The generator for {@code model}. */
  public GraphicGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.GRAPHIC, GraphicGenerationPayload::prompt, model);
    this.model = model;
    this.family = ImageModelFamily.of(model);
    this.pipeline = new ImagePipeline(backend);
  }

  @Override
  public Duration estimate(GraphicGenerationPayload payload) {
    return Duration.ofSeconds(20);
  }

  /** {@return 1: each job asks for one image ({@code n = 1})} */
  @Override
  public long estimateUnits(GraphicGenerationPayload payload) {
    return 1;
  }

  @Override
  Object run(Plan plan, JobContext context) {
    String prompt = plan.kind().brief + plan.prompt();
    List<GeneratedImage> images =
        pipeline.run(
            context,
            new ImagePipeline.Request(WHAT, model, MODEL_SETTING, prompt, plan.size(), family.quality(false), null));
    return new GraphicGenerationResult(
        images, plan.kind().wire(), model, plan.requested() == null ? null : plan.requested().wire(), plan.size().wire(),
        sizeNote(plan), prompt);
  }

  @Override
  Plan plan(GraphicGenerationPayload p) {
    int maxPrompt = family == ImageModelFamily.DALL_E_2 ? 700 : 3000;
    String prompt = PayloadRules.requiredText("payload.prompt", p.prompt(), maxPrompt);
    Kind kind = PayloadRules.choice("payload.kind", p.kind(), Kind.class, Kind.LOGO);
    if ((p.width() == null) != (p.height() == null)) {
      String missing = p.width() == null ? "payload.width" : "payload.height";
      throw new InvalidPayloadException(missing, "payload.width and payload.height go together: " + missing + " is missing");
    }
    ImageSize requested = null;
    if (p.width() != null && p.height() != null) {
      requested = ImageSize.checked(p.width() < ImageSize.MIN_SIDE || p.width() > ImageSize.MAX_SIDE ? "payload.width" : "payload.height",
          p.width(), p.height());
    }
    ImageSize size = (requested != null ? requested : kind.shape).nearest(family.sizes());
    return new Plan(prompt, kind, requested, size);
  }

  private String sizeNote(Plan plan) {
    ImageSize used = plan.size();
    ImageSize requested = plan.requested();
    if (requested == null) {
      return "generated at " + used.wire() + ", the usual shape for a " + plan.kind().wire() + " that " + model + " makes";
    }
    if (requested.equals(used)) {
      return "generated at the requested size " + used.wire();
    }
    return "requested " + requested.wire() + ", generated " + used.wire() + ", the nearest shape " + model
        + " makes (it makes " + sizes() + "); scale or crop it to " + requested.wire();
  }

  private String sizes() {
    StringBuilder sb = new StringBuilder();
    for (ImageSize s : family.sizes()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(s.wire());
    }
    return sb.toString();
  }
}
