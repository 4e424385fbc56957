package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code video_generation}: plans a clip as a storyboard with a poster frame. No video file is
 * rendered, as with the OpenAI generator (whose payload and result shape this one shares): the
 * result says {@code "simulated": true} and {@code "demo": true}.
 */
public final class VideoGenerationDemo extends AbstractGenerator<VideoGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "video_generation";

  private static final List<String> RESOLUTIONS = List.of("720p", "1080p", "4k");
  private static final Map<String, int[]> FRAMES =
      Map.of("720p", new int[] {1280, 720}, "1080p", new int[] {1920, 1080}, "4k", new int[] {3840, 2160});
  private static final List<String> STYLES =
      List.of("cinematic", "documentary", "animation", "commercial", "music_video", "vlog", "tutorial");
  private static final List<String[]> SHOTS = List.of(
      new String[] {"establishing view of", "wide, slow crane down", "ambient sound rising"},
      new String[] {"closer look at", "medium shot, slow push-in", "soft score enters"},
      new String[] {"a detail of", "macro close-up, shallow focus", "foley detail"},
      new String[] {"movement through", "tracking shot, steady", "score builds"},
      new String[] {"a new angle on", "overhead, static", "score holds"},
      new String[] {"a last look at", "wide, slow pull-out", "music resolves"});
  private static final List<String> STAGES =
      List.of("writing the storyboard", "rendering keyframes 1/4", "rendering keyframes 2/4",
          "rendering keyframes 3/4", "rendering keyframes 4/4", "interpolating frames", "interpolating frames",
          "colour grading", "encoding h264", "encoding h264", "muxing mp4", "checking the output");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public VideoGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to film.
   *
   * @param prompt what the clip is about (required, at most 4,000 characters)
   * @param durationSeconds 5–600; default 30
   * @param resolution {@code 720p}, {@code 1080p} (default) or {@code 4k}
   * @param style cinematic (default), documentary, animation, commercial, music_video, vlog or tutorial
   */
  public record Payload(
      @Nullable String prompt, @Nullable Integer durationSeconds, @Nullable String resolution, @Nullable String style) {}

  /**
   * One scene of the storyboard.
   *
   * @param number 1, 2, …
   * @param startSeconds where it starts
   * @param durationSeconds how long it lasts
   * @param description what is seen
   * @param camera shot and camera movement
   * @param audio what is heard
   */
  public record Scene(int number, double startSeconds, double durationSeconds, String description, String camera,
      String audio) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param simulated always true: no video file was made
   * @param title the clip's title
   * @param logline one sentence about it
   * @param durationSeconds the duration; the scenes add up to it
   * @param resolution the resolution asked for
   * @param frameSize its frame, {@code WxH}
   * @param style the style asked for
   * @param scenes the storyboard
   * @param poster a {@code data:image/svg+xml} URL of the poster frame
   * @param model the demo model's name
   */
  public record Result(boolean demo, boolean simulated, String title, String logline, int durationSeconds,
      String resolution, String frameSize, String style, List<Scene> scenes, String poster, String model) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 4000);
    DemoChecks.range("durationSeconds", p.durationSeconds(), 5, 600, 30);
    DemoChecks.oneOf("resolution", p.resolution(), RESOLUTIONS, "1080p");
    DemoChecks.oneOf("style", p.style(), STYLES, "cinematic");
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
    int seconds = DemoChecks.range("durationSeconds", p.durationSeconds(), 5, 600, 30);
    String resolution = DemoChecks.oneOf("resolution", p.resolution(), RESOLUTIONS, "1080p");
    String style = DemoChecks.oneOf("style", p.style(), STYLES, "cinematic");
    DemoStages.run(context, settings, STAGES, 0, 1); // writing the storyboard: its scenes stream out below
    int count = Math.min(SHOTS.size(), Math.max(2, seconds / 5));
    List<Scene> scenes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double start = Math.round(10.0 * seconds * i / count) / 10.0;
      double end = Math.round(10.0 * seconds * (i + 1) / count) / 10.0;
      String[] shot = SHOTS.get(i);
      Scene scene = new Scene(i + 1, start, Math.round((end - start) * 10) / 10.0, shot[0] + " " + prompt, shot[1], shot[2]);
      scenes.add(scene);
      context.emitPart(scene); // the storyboard fills in scene by scene
      context.sleep(settings.stepDelay().dividedBy(2));
    }
    DemoStages.run(context, settings, STAGES, 1, STAGES.size());
    context.progress(99, "finishing");
    int[] frame = FRAMES.get(resolution);
    String poster = DemoArt.dataUrl(DemoArt.scene(prompt, 640, 360, DemoArt.palette(prompt, 4)));
    String title = DemoArt.shorten(Character.toUpperCase(prompt.charAt(0)) + prompt.substring(1), 60);
    return new Result(true, true, title, "A " + style.replace('_', ' ') + " piece: " + prompt + ".", seconds,
        resolution, frame[0] + "x" + frame[1], style, scenes, poster, "demo-video-1");
  }
}
