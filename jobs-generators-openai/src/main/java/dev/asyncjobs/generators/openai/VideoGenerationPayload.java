package dev.asyncjobs.generators.openai;

import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@code video_generation} job (simulated: the result is a storyboard).
 *
 * @param prompt what the video is about; required, at most 4,000 characters
 * @param durationSeconds 5–600, default 30
 * @param resolution {@code 720p}, {@code 1080p} (default) or {@code 4k}
 * @param style {@code cinematic} (default), {@code documentary}, {@code animation}, {@code
 *     commercial}, {@code music_video}, {@code vlog} or {@code tutorial}
 */
public record VideoGenerationPayload(
    String prompt, @Nullable Integer durationSeconds, @Nullable String resolution, @Nullable String style) {

  /**
   * {@return a payload with only a prompt}
   *
   * @param prompt what the video shows
   */
  public static VideoGenerationPayload of(String prompt) {
    return new VideoGenerationPayload(prompt, null, null, null);
  }
}
