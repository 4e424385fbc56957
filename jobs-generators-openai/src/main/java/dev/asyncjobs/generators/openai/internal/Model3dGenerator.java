package dev.asyncjobs.generators.openai.internal;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.asyncjobs.generators.openai.Model3dGenerationPayload;
import dev.asyncjobs.generators.openai.Model3dSpecResult;
import java.text.NumberFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code model3d_generation}, simulated: a chat model writes the technical specification of a 3D
 * asset (dimensions, meshes with triangle counts, materials) as structured JSON; the triangles are
 * checked against the budget and the format's limits are noted.
 */
public final class Model3dGenerator
    extends SimulatedGenerator<Model3dGenerationPayload, Model3dGenerator.Plan, Model3dGenerator.SpecReply> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.MODEL_3D.name();
  static final String WHAT = "3D model specification";

  /** A file format. */
  enum Format implements Choice {
    GLB, OBJ, FBX, STL, USDZ
  }

  /** A modelling style. */
  enum Style implements Choice {
    REALISTIC, LOW_POLY, STYLIZED, CARTOON, HARD_SURFACE
  }

  /** The specification as the model writes it. */
  public record SpecReply(
      @JsonPropertyDescription("a short name for the asset") String name,
      @JsonPropertyDescription("what the asset is and looks like") String description,
      DimensionsReply dimensions,
      List<MeshReply> meshes,
      List<MaterialReply> materials,
      @JsonPropertyDescription("remarks for the 3D artist") List<String> notes) {}

  /** The bounding box as the model writes it. */
  public record DimensionsReply(double width, double height, double depth, @JsonPropertyDescription("m or cm") String unit) {}

  /** One mesh as the model writes it. */
  public record MeshReply(
      String name, @JsonPropertyDescription("its triangle count") long triangles,
      @JsonPropertyDescription("the name of its material") String material) {}

  /** One material as the model writes it. */
  public record MaterialReply(
      String name, @JsonPropertyDescription("e.g. PBR metallic-roughness") String workflow,
      @JsonPropertyDescription("texture maps, e.g. baseColor, normal, roughness") List<String> textures) {}

  /** What a payload asks for, checked. */
  record Plan(String prompt, Format format, int polycount, Style style) {}

  /** The generator for {@code model}. */
  public Model3dGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.MODEL_3D, Model3dGenerationPayload::prompt, backend, model, WHAT, SpecReply.class, 2500);
  }

  @Override
  public Duration estimate(Model3dGenerationPayload payload) {
    return Duration.ofSeconds(15);
  }

  @Override
  String instructions(Plan plan) {
    return "You are a technical 3D artist. Write the technical specification of a " + plan.style().wire().replace('_', ' ')
        + " 3D asset to be delivered as " + plan.format().wire().toUpperCase(Locale.ROOT) + " within a budget of "
        + plan.polycount() + " triangles: its name, description, bounding box dimensions, meshes with triangle "
        + "counts and materials, the materials with their workflow and texture maps, and notes for the artist.";
  }

  @Override
  String request(Plan plan) {
    return plan.prompt();
  }

  @Override
  Model3dSpecResult postProcess(Plan plan, StructuredChat.Reply<SpecReply> reply) {
    Replies check = new Replies(WHAT);
    SpecReply spec = reply.content();
    String name = check.text(spec.name(), "name");
    DimensionsReply d = check.present(spec.dimensions(), "dimensions");
    if (!(d.width() > 0 && d.height() > 0 && d.depth() > 0)) {
      throw check.malformed("dimensions must be positive, were " + d.width() + " x " + d.height() + " x " + d.depth());
    }
    List<Model3dSpecResult.Mesh> meshes = new ArrayList<>();
    long triangles = 0;
    List<MeshReply> meshReplies = check.nonEmpty(spec.meshes(), "meshes");
    for (int i = 0; i < meshReplies.size(); i++) {
      MeshReply m = check.present(meshReplies.get(i), "meshes[" + i + "]");
      if (m.triangles() < 1) {
        throw check.malformed("meshes[" + i + "].triangles must be at least 1, was " + m.triangles());
      }
      triangles += m.triangles();
      meshes.add(new Model3dSpecResult.Mesh(check.text(m.name(), "meshes[" + i + "].name"), m.triangles(), check.textOrEmpty(m.material())));
    }
    List<String> notes = new ArrayList<>();
    for (String n : spec.notes() == null ? List.<String>of() : spec.notes()) {
      if (n != null && !n.isBlank()) {
        notes.add(n.strip());
      }
    }
    boolean withinBudget = triangles <= plan.polycount();
    if (!withinBudget) {
      notes.add("the meshes add up to " + count(triangles) + " triangles, over the budget of " + count(plan.polycount())
          + ": decimate or simplify before export");
    }
    List<Model3dSpecResult.Material> materials = new ArrayList<>();
    List<MaterialReply> materialReplies = spec.materials() == null ? List.of() : spec.materials();
    if (plan.format() == Format.STL) {
      if (!materialReplies.isEmpty()) {
        notes.add("STL stores geometry only: the " + materialReplies.size() + " material(s) are dropped; choose GLB, FBX "
            + "or USDZ to keep them");
      }
    } else {
      for (int i = 0; i < materialReplies.size(); i++) {
        MaterialReply m = check.present(materialReplies.get(i), "materials[" + i + "]");
        materials.add(new Model3dSpecResult.Material(
            check.text(m.name(), "materials[" + i + "].name"), check.textOrEmpty(m.workflow()),
            m.textures() == null ? List.of() : m.textures().stream().filter(t -> t != null && !t.isBlank()).map(String::strip).toList()));
      }
    }
    return new Model3dSpecResult(
        true, name, check.textOrEmpty(spec.description()), plan.format().wire(), slug(name) + "." + plan.format().wire(),
        plan.style().wire(), plan.polycount(), triangles, withinBudget,
        new Model3dSpecResult.Dimensions(d.width(), d.height(), d.depth(), check.text(d.unit(), "dimensions.unit")),
        meshes, materials, notes, reply.model(), reply.usage());
  }

  /** A file-system-safe name: lowercase letters, digits and hyphens. */
  static String slug(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    if (s.length() > 60) {
      s = s.substring(0, 60).replaceAll("-+$", "");
    }
    return s.isEmpty() ? "model" : s;
  }

  private static String count(long n) {
    return NumberFormat.getIntegerInstance(Locale.ROOT).format(n);
  }

  @Override
  Plan plan(Model3dGenerationPayload p) {
    return new Plan(
        PayloadRules.requiredText("payload.prompt", p.prompt(), 4000),
        PayloadRules.choice("payload.format", p.format(), Format.class, Format.GLB),
        PayloadRules.range("payload.polycount", p.polycount(), 100, 5_000_000, 50_000),
        PayloadRules.choice("payload.style", p.style(), Style.class, Style.REALISTIC));
  }
}
