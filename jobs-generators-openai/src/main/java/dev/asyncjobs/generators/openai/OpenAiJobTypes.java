package dev.asyncjobs.generators.openai;

import dev.asyncjobs.JobType;

/**
 * The six job types of these generators, each with its payload record, for callers that create
 * jobs with {@code JobRequest.of(owner, OpenAiJobTypes.IMAGE, new ImageGenerationPayload(...))}
 * instead of writing JSON.
 */
public final class OpenAiJobTypes {
  /** {@code image_generation}: one image from a prompt, a style and a size. */
  public static final JobType<ImageGenerationPayload> IMAGE = JobType.of("image_generation", ImageGenerationPayload.class);
  /** {@code text_generation}: text from a prompt. */
  public static final JobType<TextGenerationPayload> TEXT = JobType.of("text_generation", TextGenerationPayload.class);
  /** {@code video_generation}: a video storyboard. */
  public static final JobType<VideoGenerationPayload> VIDEO = JobType.of("video_generation", VideoGenerationPayload.class);
  /** {@code music_generation}: a music sketch. */
  public static final JobType<MusicGenerationPayload> MUSIC = JobType.of("music_generation", MusicGenerationPayload.class);
  /** {@code model3d_generation}: a 3D model spec. */
  public static final JobType<Model3dGenerationPayload> MODEL_3D = JobType.of("model3d_generation", Model3dGenerationPayload.class);
  /** {@code graphic_generation}: a graphic. */
  public static final JobType<GraphicGenerationPayload> GRAPHIC = JobType.of("graphic_generation", GraphicGenerationPayload.class);

  private OpenAiJobTypes() {}
}
