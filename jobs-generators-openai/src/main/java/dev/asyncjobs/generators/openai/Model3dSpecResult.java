package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@code model3d_generation} job: no mesh, a technical specification a model
 * wrote ({@code "simulated": true}).
 *
 * @param simulated always {@code true}: no 3D file was made
 * @param name the asset's name
 * @param description what it is
 * @param format glb, obj, fbx, stl or usdz
 * @param fileName a file name for the asset in that format
 * @param style the style asked for
 * @param polycountBudget the triangle budget asked for
 * @param estimatedPolycount the meshes' triangles added up
 * @param withinBudget whether that fits the budget
 * @param dimensions the bounding box
 * @param meshes the parts
 * @param materials the materials (empty for STL, which stores none)
 * @param notes remarks for the artist, including what the format cannot carry
 * @param model the chat model that wrote it
 * @param usage tokens used, when OpenAI reports them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Model3dSpecResult(
    boolean simulated,
    String name,
    String description,
    String format,
    String fileName,
    String style,
    int polycountBudget,
    long estimatedPolycount,
    boolean withinBudget,
    Dimensions dimensions,
    List<Mesh> meshes,
    List<Material> materials,
    List<String> notes,
    String model,
    @Nullable TokenUsage usage) {

  /**
   * Copies the lists.
   *
   * @param simulated always {@code true}: no 3D file was made
   * @param name the asset's name
   * @param description what it is
   * @param format glb, obj, fbx, stl or usdz
   * @param fileName a file name for the asset in that format
   * @param style the style asked for
   * @param polycountBudget the triangle budget asked for
   * @param estimatedPolycount the meshes' triangles added up
   * @param withinBudget whether that fits the budget
   * @param dimensions the bounding box
   * @param meshes the parts
   * @param materials the materials (empty for STL, which stores none)
   * @param notes remarks for the artist, including what the format cannot carry
   * @param model the chat model that wrote it
   * @param usage tokens used, when OpenAI reports them
   */
  public Model3dSpecResult {
    meshes = List.copyOf(meshes);
    materials = List.copyOf(materials);
    notes = List.copyOf(notes);
  }

  /**
   * A bounding box.
   *
   * @param width across
   * @param height up
   * @param depth deep
   * @param unit e.g. {@code m}, {@code cm}
   */
  public record Dimensions(double width, double height, double depth, String unit) {}

  /**
   * One part.
   *
   * @param name e.g. {@code body}
   * @param triangles its triangle count
   * @param material the name of its material
   */
  public record Mesh(String name, long triangles, String material) {}

  /**
   * One material.
   *
   * @param name its name
   * @param workflow e.g. {@code PBR metallic-roughness}
   * @param textures the texture maps it uses, e.g. {@code baseColor}, {@code normal}
   */
  public record Material(String name, String workflow, List<String> textures) {
    /**
     * Copies the list.
     *
     * @param name its name
     * @param workflow e.g. {@code PBR metallic-roughness}
     * @param textures the texture maps it uses, e.g. {@code baseColor}, {@code normal}
     */
    public Material {
      textures = List.copyOf(textures);
    }
  }
}
