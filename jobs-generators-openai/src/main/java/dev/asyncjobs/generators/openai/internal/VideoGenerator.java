package dev.asyncjobs.generators.openai.internal;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.VideoGenerationPayload;
import dev.asyncjobs.generators.openai.VideoStoryboardResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code video_generation}, simulated: a chat model writes a storyboard of scenes as structured
 * JSON; the scenes are numbered, timed and fitted to the requested duration.
 */
public final class VideoGenerator
    extends SimulatedGenerator<VideoGenerationPayload, VideoGenerator.Plan, VideoGenerator.StoryboardReply> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.VIDEO.name();
  static final String WHAT = "video storyboard";

  /** A resolution and its frame. */
  enum Resolution implements Choice {
    P720("720p", "1280x720"), P1080("1080p", "1920x1080"), K4("4k", "3840x2160");

    private final String wire;
    final String frame;

    Resolution(String wire, String frame) {
      this.wire = wire;
      this.frame = frame;
    }

    @Override
    public String wire() {
      return wire;
    }
  }

  /** A style. */
  enum Style implements Choice {
    CINEMATIC, DOCUMENTARY, ANIMATION, COMMERCIAL, MUSIC_VIDEO, VLOG, TUTORIAL
  }

  /** The storyboard as the model writes it (its JSON schema is the response format). */
  public record StoryboardReply(
      @JsonPropertyDescription("a short title for the video") String title,
      @JsonPropertyDescription("one sentence that sums the video up") String logline,
      List<SceneReply> scenes) {}

  /** One scene as the model writes it. */
  public record SceneReply(
      @JsonPropertyDescription("what is seen in the scene") String description,
      @JsonPropertyDescription("how long the scene lasts, in seconds") double durationSeconds,
      @JsonPropertyDescription("the shot and the camera movement") String camera,
      @JsonPropertyDescription("narration, dialogue, music or sound effects") String audio) {}

  /** What a payload asks for, checked. */
  record Plan(String prompt, int durationSeconds, Resolution resolution, Style style) {}

  /** The generator for {@code model}. */
  public VideoGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.VIDEO, VideoGenerationPayload::prompt, backend, model, WHAT, StoryboardReply.class, 3000);
  }

  @Override
  public Duration estimate(VideoGenerationPayload payload) {
    return Duration.ofSeconds(20);
  }

  @Override
  String instructions(Plan plan) {
    int maxScenes = Math.max(1, Math.min(20, plan.durationSeconds() / 3));
    return "You are a film director and storyboard artist. Write the storyboard of a " + plan.style().wire().replace('_', ' ')
        + " video of " + plan.durationSeconds() + " seconds at " + plan.resolution().wire() + " ("
        + plan.resolution().frame + "). Use between 1 and " + maxScenes + " scenes whose durations add up to "
        + plan.durationSeconds() + " seconds. For each scene say what is seen, the shot and camera movement, and "
        + "the audio.";
  }

  @Override
  String request(Plan plan) {
    return plan.prompt();
  }

  @Override
  VideoStoryboardResult postProcess(Plan plan, StructuredChat.Reply<StoryboardReply> reply) {
    Replies check = new Replies(WHAT);
    StoryboardReply board = reply.content();
    List<SceneReply> scenes = check.nonEmpty(board.scenes(), "scenes");
    double total = 0;
    for (int i = 0; i < scenes.size(); i++) {
      SceneReply s = check.present(scenes.get(i), "scenes[" + i + "]");
      check.text(s.description(), "scenes[" + i + "].description");
      if (!(s.durationSeconds() > 0) || Double.isInfinite(s.durationSeconds())) {
        throw check.malformed("scenes[" + i + "].durationSeconds must be positive, was " + s.durationSeconds());
      }
      total += s.durationSeconds();
    }
    // Models rarely make the scenes add up exactly: scale them to the duration asked for, in tenths
    // of a second, the last scene taking the rounding.
    double scale = plan.durationSeconds() / total;
    List<VideoStoryboardResult.Scene> timed = new ArrayList<>(scenes.size());
    double start = 0;
    for (int i = 0; i < scenes.size(); i++) {
      SceneReply s = scenes.get(i);
      double length =
          i == scenes.size() - 1
              ? Math.max(0.1, round(plan.durationSeconds() - start))
              : round(s.durationSeconds() * scale);
      timed.add(new VideoStoryboardResult.Scene(
          i + 1, round(start), length, s.description().strip(), check.textOrEmpty(s.camera()), check.textOrEmpty(s.audio())));
      start = round(start + length);
    }
    return new VideoStoryboardResult(
        true, check.text(board.title(), "title"), check.textOrEmpty(board.logline()), plan.durationSeconds(),
        plan.resolution().wire(), plan.resolution().frame, plan.style().wire(), timed, reply.model(), reply.usage());
  }

  /** The storyboard streamed scene by scene as parts, so a reader sees it fill in before the result. */
  @Override
  void emitParts(Object result, JobContext context) {
    ((VideoStoryboardResult) result).scenes().forEach(context::emitPart);
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }

  @Override
  Plan plan(VideoGenerationPayload p) {
    return new Plan(
        PayloadRules.requiredText("payload.prompt", p.prompt(), 4000),
        PayloadRules.range("payload.durationSeconds", p.durationSeconds(), 5, 600, 30),
        PayloadRules.choice("payload.resolution", p.resolution(), Resolution.class, Resolution.P1080),
        PayloadRules.choice("payload.style", p.style(), Style.class, Style.CINEMATIC));
  }
}
