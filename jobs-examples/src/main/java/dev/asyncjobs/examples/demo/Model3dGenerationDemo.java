package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * {@code model3d_generation}: sizes a model to the prompt and the polygon budget, and returns a
 * low-poly stand-in mesh as Wavefront OBJ text.
 */
public final class Model3dGenerationDemo implements Generator<Model3dGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "model3d_generation";

  private static final Set<String> FORMATS = Set.of("glb", "obj", "stl");
  private static final List<String> STAGES =
      List.of("reading the prompt", "sampling views", "reconstructing geometry", "reconstructing geometry",
          "retopology", "UV unwrapping", "baking textures", "decimating to budget", "exporting");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public Model3dGenerationDemo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * What to model.
   *
   * @param prompt the object (required)
   * @param format {@code glb}, {@code obj} or {@code stl}; default glb
   * @param polygonBudget most triangles, 500–200000; default 20000
   */
  public record Payload(@Nullable String prompt, @Nullable String format, @Nullable Integer polygonBudget) {}

  /**
   * Size in metres.
   *
   * @param width x
   * @param height y
   * @param depth z
   */
  public record BoundingBox(double width, double height, double depth) {}

  /**
   * A material.
   *
   * @param name its name
   * @param baseColor {@code #rrggbb}
   */
  public record Material(String name, String baseColor) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param format the requested export format
   * @param triangles triangles of the full model
   * @param vertices vertices of the full model
   * @param boundingBox its size
   * @param materials its materials
   * @param previewObj a low-poly stand-in (a box of the same size) as OBJ text
   * @param note what the demo leaves out
   */
  public record Result(
      boolean demo, String model, String format, int triangles, int vertices, BoundingBox boundingBox,
      List<Material> materials, String previewObj, String note) {}

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
    DemoChecks.oneOf("format", p.format(), FORMATS, "glb");
    DemoChecks.range("polygonBudget", p.polygonBudget(), 500, 200_000, 20_000);
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
    String format = DemoChecks.oneOf("format", p.format(), FORMATS, "glb");
    int budget = DemoChecks.range("polygonBudget", p.polygonBudget(), 500, 200_000, 20_000);
    DemoStages.run(context, settings, STAGES);
    SplittableRandom r = DemoArt.random(prompt);
    int triangles = budget - r.nextInt(budget / 10 + 1);
    BoundingBox box = new BoundingBox(round(0.2 + r.nextDouble(1.8)), round(0.2 + r.nextDouble(1.8)),
        round(0.2 + r.nextDouble(1.8)));
    List<String> colours = DemoArt.palette(prompt, 2);
    List<Material> materials = List.of(new Material("body", colours.get(0)), new Material("trim", colours.get(1)));
    return new Result(true, "demo-3d-1", format, triangles, triangles / 2 + 2, box, materials, boxObj(prompt, box),
        "demo: no " + format + " file is exported; the OBJ box has the model's size");
  }

  private static String boxObj(String prompt, BoundingBox b) {
    StringBuilder obj = new StringBuilder("# asyncjobs demo stand-in for: ")
        .append(prompt.replace('\n', ' ')).append('\n').append("o demo_model\n");
    for (int i = 0; i < 8; i++) {
      obj.append(String.format(Locale.ROOT, "v %.3f %.3f %.3f%n",
          (i & 1) == 0 ? -b.width() / 2 : b.width() / 2, (i & 2) == 0 ? 0.0 : b.height(),
          (i & 4) == 0 ? -b.depth() / 2 : b.depth() / 2));
    }
    obj.append("f 1 2 4 3\nf 5 7 8 6\nf 1 5 6 2\nf 3 4 8 7\nf 1 3 7 5\nf 2 6 8 4\n");
    return obj.toString();
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
