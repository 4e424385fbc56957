package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@code video_generation} job: no video, a storyboard a model wrote for one
 * ({@code "simulated": true}).
 *
 * @param simulated always {@code true}: no video file was made
 * @param title the video's title
 * @param logline one sentence about the video
 * @param durationSeconds the duration asked for; the scenes add up to it
 * @param resolution {@code 720p}, {@code 1080p} or {@code 4k}
 * @param frameSize the resolution's frame, {@code WxH}
 * @param style the style asked for
 * @param scenes the scenes in order
 * @param model the chat model that wrote it
 * @param usage tokens used, when OpenAI reports them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VideoStoryboardResult(
    boolean simulated,
    String title,
    String logline,
    int durationSeconds,
    String resolution,
    String frameSize,
    String style,
    List<Scene> scenes,
    String model,
    @Nullable TokenUsage usage) {

  /**
   * Copies the list.
   *
   * @param simulated always {@code true}: no video file was made
   * @param title the video's title
   * @param logline one sentence about the video
   * @param durationSeconds the duration asked for; the scenes add up to it
   * @param resolution {@code 720p}, {@code 1080p} or {@code 4k}
   * @param frameSize the resolution's frame, {@code WxH}
   * @param style the style asked for
   * @param scenes the scenes in order
   * @param model the chat model that wrote it
   * @param usage tokens used, when OpenAI reports them
   */
  public VideoStoryboardResult {
    scenes = List.copyOf(scenes);
  }

  /**
   * One scene.
   *
   * @param number 1, 2, …
   * @param startSeconds when it starts, from the scenes before it
   * @param durationSeconds how long it lasts
   * @param description what is seen
   * @param camera shot and camera movement
   * @param audio narration, dialogue, music or sound
   */
  public record Scene(int number, double startSeconds, double durationSeconds, String description, String camera, String audio) {}
}
