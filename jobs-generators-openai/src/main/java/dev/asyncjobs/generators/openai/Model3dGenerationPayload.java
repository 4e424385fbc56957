package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@code model3d_generation} job (simulated: the result is a technical
 * specification).
 *
 * @param prompt what the model depicts; required, at most 4,000 characters
 * @param format {@code glb} (default), {@code obj}, {@code fbx}, {@code stl} or {@code usdz}
 * @param polycount triangle budget, 100–5,000,000, default 50,000
 * @param style {@code realistic} (default), {@code low_poly}, {@code stylized}, {@code cartoon} or
 *     {@code hard_surface}
 */
public record Model3dGenerationPayload(
    String prompt, @Nullable String format, @Nullable Integer polycount, @Nullable String style) {

  /**
   * {@return a payload with only a prompt}
   *
   * @param prompt what to model
   */
  public static Model3dGenerationPayload of(String prompt) {
    return new Model3dGenerationPayload(prompt, null, null, null);
  }
}
