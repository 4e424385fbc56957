package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code video_generation}: plans a clip (storyboard, poster frame, encoding figures). No video
 * file is rendered; the poster and the storyboard stand in for it.
 */
public final class VideoGenerationDemo implements Generator<VideoGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "video_generation";

  private static final Map<String, int[]> RESOLUTIONS =
      Map.of("480p", new int[] {854, 480}, "720p", new int[] {1280, 720}, "1080p", new int[] {1920, 1080});
  private static final List<String> SHOTS =
      List.of("establishing wide shot", "slow push-in", "close-up", "tracking shot", "overhead view",
          "closing wide shot");
  private static final List<String> STAGES =
      List.of("writing the storyboard", "rendering keyframes 1/4", "rendering keyframes 2/4",
          "rendering keyframes 3/4", "rendering keyframes 4/4", "interpolating frames", "interpolating frames",
          "colour grading", "encoding h264", "encoding h264", "muxing mp4", "checking the output");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public VideoGenerationDemo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * What to film.
   *
   * @param prompt what the clip shows (required)
   * @param durationSeconds 2–60; default 8
   * @param resolution {@code 480p}, {@code 720p} or {@code 1080p}; default 720p
   * @param fps frames per second, 12–60; default 24
   */
  public record Payload(
      @Nullable String prompt, @Nullable Integer durationSeconds, @Nullable String resolution, @Nullable Integer fps) {}

  /**
   * One shot of the storyboard.
   *
   * @param startSeconds where it starts
   * @param endSeconds where it ends
   * @param description what it shows
   */
  public record Scene(double startSeconds, double endSeconds, String description) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param durationSeconds clip length
   * @param width pixels
   * @param height pixels
   * @param fps frames per second
   * @param frameCount frames in the clip
   * @param container file format
   * @param codec video codec
   * @param poster a {@code data:image/svg+xml} URL of the poster frame
   * @param scenes the storyboard
   * @param note what the demo leaves out
   */
  public record Result(
      boolean demo, String model, int durationSeconds, int width, int height, int fps, int frameCount,
      String container, String codec, String poster, List<Scene> scenes, String note) {}

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
    DemoChecks.range("durationSeconds", p.durationSeconds(), 2, 60, 8);
    DemoChecks.oneOf("resolution", p.resolution(), RESOLUTIONS.keySet(), "720p");
    DemoChecks.range("fps", p.fps(), 12, 60, 24);
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
    int seconds = DemoChecks.range("durationSeconds", p.durationSeconds(), 2, 60, 8);
    int[] size = RESOLUTIONS.get(DemoChecks.oneOf("resolution", p.resolution(), RESOLUTIONS.keySet(), "720p"));
    int fps = DemoChecks.range("fps", p.fps(), 12, 60, 24);
    DemoStages.run(context, settings, STAGES);
    int shots = Math.min(SHOTS.size(), Math.max(2, seconds / 2));
    List<Scene> scenes = new ArrayList<>();
    for (int i = 0; i < shots; i++) {
      double start = Math.round(10.0 * seconds * i / shots) / 10.0;
      double end = Math.round(10.0 * seconds * (i + 1) / shots) / 10.0;
      scenes.add(new Scene(start, end, SHOTS.get(i) + " of " + prompt));
    }
    String poster = DemoArt.dataUrl(DemoArt.scene(prompt, size[0] / 2, size[1] / 2, DemoArt.palette(prompt, 4)));
    return new Result(true, "demo-video-1", seconds, size[0], size[1], fps, seconds * fps, "mp4", "h264", poster,
        scenes, "demo: no video file is rendered; the poster frame and the storyboard stand in for it");
  }
}
