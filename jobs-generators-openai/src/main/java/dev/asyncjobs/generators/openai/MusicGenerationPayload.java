package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@code music_generation} job (simulated: the result is a composition sheet).
 *
 * @param prompt what the piece is about; required, at most 4,000 characters
 * @param genre {@code pop} (default), {@code rock}, {@code jazz}, {@code classical}, {@code
 *     electronic}, {@code hip_hop}, {@code ambient}, {@code folk}, {@code cinematic} or {@code lofi}
 * @param mood {@code happy}, {@code sad}, {@code calm} (default), {@code energetic}, {@code dark},
 *     {@code romantic}, {@code epic}, {@code mysterious} or {@code uplifting}
 * @param durationSeconds 10–600, default 120
 * @param tempo beats per minute, 40–240; absent: the model picks one that fits
 */
public record MusicGenerationPayload(
    String prompt, @Nullable String genre, @Nullable String mood, @Nullable Integer durationSeconds, @Nullable Integer tempo) {

  /**
   * {@return a payload with only a prompt}
   *
   * @param prompt what to compose
   */
  public static MusicGenerationPayload of(String prompt) {
    return new MusicGenerationPayload(prompt, null, null, null, null);
  }
}
