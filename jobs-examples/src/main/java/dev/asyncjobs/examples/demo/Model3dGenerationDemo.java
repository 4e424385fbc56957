package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * {@code model3d_generation}: writes the technical specification of a model (parts, triangles,
 * size, materials) and a low-poly stand-in mesh as Wavefront OBJ text. No 3D file is exported, as
 * with the OpenAI generator (whose payload and result shape this one shares): the result says
 * {@code "simulated": true} and {@code "demo": true}.
 */
public final class Model3dGenerationDemo extends AbstractGenerator<Model3dGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "model3d_generation";

  private static final List<String> FORMATS = List.of("glb", "obj", "fbx", "stl", "usdz");
  private static final List<String> STYLES = List.of("realistic", "low_poly", "stylized", "cartoon", "hard_surface");
  private static final List<String> STAGES =
      List.of("reading the prompt", "sampling views", "reconstructing geometry", "reconstructing geometry",
          "retopology", "UV unwrapping", "baking textures", "decimating to budget", "exporting");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public Model3dGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to model.
   *
   * @param prompt what the model depicts (required, at most 4,000 characters)
   * @param format glb (default), obj, fbx, stl or usdz
   * @param polycount triangle budget, 100–5,000,000; default 50,000
   * @param style realistic (default), low_poly, stylized, cartoon or hard_surface
   */
  public record Payload(@Nullable String prompt, @Nullable String format, @Nullable Integer polycount,
      @Nullable String style) {}

  /**
   * The bounding box.
   *
   * @param width across
   * @param height up
   * @param depth deep
   * @param unit {@code m}
   */
  public record Dimensions(double width, double height, double depth, String unit) {}

  /**
   * A part.
   *
   * @param name e.g. body
   * @param triangles its triangles
   * @param material its material's name
   */
  public record Mesh(String name, long triangles, String material) {}

  /**
   * A material.
   *
   * @param name its name
   * @param workflow the shading workflow
   * @param textures its texture maps
   * @param baseColor {@code #rrggbb}
   */
  public record Material(String name, String workflow, List<String> textures, String baseColor) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param simulated always true: no 3D file was made
   * @param name the asset's name
   * @param description what it is
   * @param format the export format asked for
   * @param fileName a file name in that format
   * @param style the style asked for
   * @param polycountBudget the triangle budget
   * @param estimatedPolycount the parts' triangles added up
   * @param withinBudget whether that fits
   * @param dimensions the bounding box
   * @param meshes the parts
   * @param materials the materials (none for STL)
   * @param notes remarks for the artist
   * @param previewObj a low-poly stand-in (a box of the same size) as OBJ text
   * @param model the demo model's name
   */
  public record Result(boolean demo, boolean simulated, String name, String description, String format,
      String fileName, String style, int polycountBudget, long estimatedPolycount, boolean withinBudget,
      Dimensions dimensions, List<Mesh> meshes, List<Material> materials, List<String> notes, String previewObj,
      String model) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 4000);
    DemoChecks.oneOf("format", p.format(), FORMATS, "glb");
    DemoChecks.range("polycount", p.polycount(), 100, 5_000_000, 50_000);
    DemoChecks.oneOf("style", p.style(), STYLES, "realistic");
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
    String prompt = DemoChecks.prompt(p.prompt(), 4000);
    String format = DemoChecks.oneOf("format", p.format(), FORMATS, "glb");
    int budget = DemoChecks.range("polycount", p.polycount(), 100, 5_000_000, 50_000);
    String style = DemoChecks.oneOf("style", p.style(), STYLES, "realistic");
    DemoStages.run(context, settings, STAGES);
    SplittableRandom r = DemoArt.random(prompt);
    Dimensions box = new Dimensions(round(0.2 + r.nextDouble(1.8)), round(0.2 + r.nextDouble(1.8)),
        round(0.2 + r.nextDouble(1.8)), "m");
    long body = Math.round(budget * 0.7) - r.nextInt(budget / 20 + 1);
    long trim = Math.round(budget * 0.25) - r.nextInt(budget / 20 + 1);
    List<Mesh> meshes = List.of(new Mesh("body", body, "body"), new Mesh("trim", trim, "trim"));
    List<String> colours = DemoArt.palette(prompt, 2);
    List<String> notes = new ArrayList<>();
    notes.add("demo: no " + format + " file is exported; previewObj is a box of the model's size");
    List<Material> materials = new ArrayList<>();
    if (format.equals("stl")) {
      notes.add("STL stores no materials: colours and textures are dropped");
    } else {
      List<String> maps = List.of("baseColor", "normal", "roughness");
      materials.add(new Material("body", "PBR metallic-roughness", maps, colours.get(0)));
      materials.add(new Material("trim", "PBR metallic-roughness", maps, colours.get(1)));
    }
    String name = DemoArt.shorten(prompt, 40);
    String fileName = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "") + "." + format;
    return new Result(true, true, name, "A " + style.replace('_', ' ') + " model of " + prompt + ".", format, fileName,
        style, budget, body + trim, body + trim <= budget, box, meshes, materials, notes, boxObj(prompt, box),
        "demo-3d-1");
  }

  private static String boxObj(String prompt, Dimensions b) {
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
