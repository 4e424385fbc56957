package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * {@code graphic_generation}: designs a vector logo, icon, banner, poster or social image as SVG.
 * Payload and result have the shape of the OpenAI graphic generator's, with {@code "demo": true}.
 */
public final class GraphicGenerationDemo extends AbstractGenerator<GraphicGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "graphic_generation";

  private static final List<String> KINDS = List.of("logo", "poster", "banner", "social", "icon");
  private static final Map<String, int[]> USUAL_SIZE =
      Map.of("logo", new int[] {512, 512}, "icon", new int[] {256, 256}, "banner", new int[] {1500, 500},
          "poster", new int[] {800, 1200}, "social", new int[] {1080, 1080});
  private static final List<String> STAGES =
      List.of("reading the brief", "choosing a palette", "sketching", "laying out", "vectorising",
          "checking contrast", "exporting SVG");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public GraphicGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to design.
   *
   * @param prompt what the graphic shows or says (required, at most 3,000 characters)
   * @param kind logo (default), poster, banner, social or icon
   * @param width pixels (16–8192), together with {@code height}; absent: the kind's usual shape
   * @param height pixels (16–8192), together with {@code width}
   */
  public record Payload(@Nullable String prompt, @Nullable String kind, @Nullable Integer width, @Nullable Integer height) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param images the graphic (one), as a {@code data:image/svg+xml} URL
   * @param kind what was designed
   * @param model the demo model's name
   * @param requestedSize the {@code WxH} asked for, if any
   * @param size the size made
   * @param sizeNote how the size relates to the request
   * @param prompt the brief as the designer read it
   * @param palette the colours used
   */
  public record Result(boolean demo, List<ImageGenerationDemo.Image> images, String kind, String model,
      @Nullable String requestedSize, String size, String sizeNote, String prompt, List<String> palette) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 3000);
    size(p, DemoChecks.oneOf("kind", p.kind(), KINDS, "logo"));
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
    String kind = DemoChecks.oneOf("kind", p.kind(), KINDS, "logo");
    int[] size = size(p, kind);
    DemoStages.run(context, settings, STAGES);
    List<String> palette = DemoArt.palette(prompt + kind, 4);
    String svg = kind.equals("logo") || kind.equals("icon")
        ? badge(prompt, Math.min(size[0], size[1]), palette)
        : DemoArt.scene(prompt, size[0], size[1], palette);
    String brief = "A " + kind + " design: " + prompt;
    String requested = p.width() == null ? null : p.width() + "x" + p.height();
    return new Result(true, List.of(new ImageGenerationDemo.Image(DemoArt.dataUrl(svg), brief)), kind,
        "demo-graphic-1", requested, size[0] + "x" + size[1],
        requested == null ? "the usual " + kind + " shape" : "made at the size asked for (vector: scales freely)",
        brief, palette);
  }

  private static int[] size(Payload p, String kind) {
    if (p.width() == null && p.height() == null) {
      return USUAL_SIZE.get(kind);
    }
    if (p.width() == null || p.height() == null) {
      throw new InvalidPayloadException(
          p.width() == null ? "payload.width" : "payload.height", "width and height go together: give both or neither");
    }
    return new int[] {DemoChecks.range("width", p.width(), 16, 8192, 0), DemoChecks.range("height", p.height(), 16, 8192, 0)};
  }

  /** A round badge with the prompt's initials. */
  private static String badge(String prompt, int size, List<String> palette) {
    String initials = Arrays.stream(prompt.split("\\s+"))
        .filter(w -> !w.isEmpty())
        .limit(2)
        .map(w -> w.substring(0, 1).toUpperCase(Locale.ROOT))
        .collect(Collectors.joining());
    int half = size / 2;
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + size + "\" height=\"" + size
        + "\" viewBox=\"0 0 " + size + " " + size + "\"><circle cx=\"" + half + "\" cy=\"" + half + "\" r=\""
        + (half - 2) + "\" fill=\"" + palette.get(0) + "\"/><circle cx=\"" + half + "\" cy=\"" + half
        + "\" r=\"" + (half * 3 / 4) + "\" fill=\"none\" stroke=\"" + palette.get(3) + "\" stroke-width=\""
        + Math.max(2, size / 40) + "\"/><text x=\"50%\" y=\"50%\" dominant-baseline=\"central\" "
        + "text-anchor=\"middle\" font-family=\"sans-serif\" font-weight=\"bold\" font-size=\"" + (size * 2 / 5)
        + "\" fill=\"" + palette.get(3) + "\">" + DemoArt.escape(initials) + "</text></svg>";
  }
}
