package dev.asyncjobs.generators.openai;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.util.List;
import java.util.function.Function;

/** One of the six generators with a valid payload and a good reply, for tests that run all six. */
record GeneratorCase(
    String type, String what, String path, Function<OpenAiGenerators, Generator<?>> generator, Object payload, String goodReply) {

  static final String STORYBOARD =
      "{\"title\":\"T\",\"logline\":\"L\",\"scenes\":[{\"description\":\"d\",\"durationSeconds\":30,\"camera\":\"c\",\"audio\":\"a\"}]}";
  static final String SHEET =
      "{\"title\":\"T\",\"key\":\"C\",\"tempoBpm\":90,\"timeSignature\":\"4/4\",\"structure\":[{\"name\":\"A\",\"bars\":4,"
          + "\"description\":\"\"}],\"instrumentation\":[{\"instrument\":\"piano\",\"role\":\"all\"}]}";
  static final String SPEC =
      "{\"name\":\"Cube\",\"description\":\"a cube\",\"dimensions\":{\"width\":1,\"height\":1,\"depth\":1,\"unit\":\"m\"},"
          + "\"meshes\":[{\"name\":\"cube\",\"triangles\":12,\"material\":\"grey\"}],\"materials\":[],\"notes\":[]}";

  static List<GeneratorCase> all() {
    return List.of(
        new GeneratorCase("image_generation", "image generation", "/v1/images/generations", OpenAiGenerators::image,
            ImageGenerationPayload.of("a kite"), OpenAiReplies.imageUrl("https://x/1.png", "r")),
        new GeneratorCase("text_generation", "text generation", "/v1/chat/completions", OpenAiGenerators::text,
            TextGenerationPayload.of("a note"), OpenAiReplies.chat("gpt-4o-mini", "A note.")),
        new GeneratorCase("graphic_generation", "graphic generation", "/v1/images/generations", OpenAiGenerators::graphic,
            GraphicGenerationPayload.of("a fox", "icon"), OpenAiReplies.imageUrl("https://x/2.png", "r")),
        new GeneratorCase("video_generation", "video storyboard", "/v1/chat/completions", OpenAiGenerators::video,
            VideoGenerationPayload.of("a café"), OpenAiReplies.chat("gpt-4o-mini", STORYBOARD)),
        new GeneratorCase("music_generation", "music composition", "/v1/chat/completions", OpenAiGenerators::music,
            MusicGenerationPayload.of("a lullaby"), OpenAiReplies.chat("gpt-4o-mini", SHEET)),
        new GeneratorCase("model3d_generation", "3D model specification", "/v1/chat/completions", OpenAiGenerators::model3d,
            Model3dGenerationPayload.of("a cube"), OpenAiReplies.chat("gpt-4o-mini", SPEC)));
  }

  /** {@return the model this case's generator calls with the default settings} */
  String model() {
    return path.equals("/v1/images/generations") ? OpenAiGenerators.DEFAULT_IMAGE_MODEL : OpenAiGenerators.DEFAULT_TEXT_MODEL;
  }

  /** Runs one attempt of this case's generator. */
  @SuppressWarnings("unchecked")
  Object run(OpenAiGenerators openai, JobContext context) {
    return ((Generator<Object>) generator.apply(openai)).generate(payload, context);
  }

  @Override
  public String toString() {
    return type;
  }
}
