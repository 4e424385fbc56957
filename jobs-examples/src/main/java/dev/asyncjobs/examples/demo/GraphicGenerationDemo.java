package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** {@code graphic_generation}: designs a vector logo, icon, banner or poster as SVG. */
public final class GraphicGenerationDemo implements Generator<GraphicGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "graphic_generation";

  private static final Map<String, int[]> KINDS =
      Map.of("logo", new int[] {512, 512}, "icon", new int[] {128, 128}, "banner", new int[] {1200, 300},
          "poster", new int[] {600, 900});
  private static final List<String> STAGES =
      List.of("reading the brief", "choosing a palette", "sketching", "laying out", "vectorising",
          "checking contrast", "exporting SVG");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public GraphicGenerationDemo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * What to design.
   *
   * @param prompt the brief, e.g. a brand name and mood (required)
   * @param kind {@code logo}, {@code icon}, {@code banner} or {@code poster}; default logo
   */
  public record Payload(@Nullable String prompt, @Nullable String kind) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param kind what was designed
   * @param width pixels
   * @param height pixels
   * @param palette the colours used
   * @param svg the graphic
   * @param url the graphic as a {@code data:image/svg+xml} URL
   */
  public record Result(
      boolean demo, String model, String kind, int width, int height, List<String> palette, String svg, String url) {}

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
    DemoChecks.oneOf("kind", p.kind(), KINDS.keySet(), "logo");
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
    String kind = DemoChecks.oneOf("kind", p.kind(), KINDS.keySet(), "logo");
    int[] size = KINDS.get(kind);
    DemoStages.run(context, settings, STAGES);
    List<String> palette = DemoArt.palette(prompt + kind, 4);
    String svg = kind.equals("logo") || kind.equals("icon")
        ? badge(prompt, size[0], palette)
        : DemoArt.scene(prompt, size[0], size[1], palette);
    return new Result(true, "demo-graphic-1", kind, size[0], size[1], palette, svg, DemoArt.dataUrl(svg));
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
