package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulated generators (video storyboard, composition sheet, 3D spec): the structured-output
 * request (a strict JSON schema as {@code response_format}), the post-processing of the model's
 * JSON, and replies that do not fit.
 */
class SimulatedGenerationTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private final OpenAiGenerators openai =
      OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).simulationModel("gpt-4o-2024-08-06").build();

  @AfterEach
  void stop() {
    openai.close();
    server.close();
  }

  private void answer(String json) {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-2024-08-06", json)));
  }

  /** Checks the structured-output request and returns its system message. */
  private String structuredRequest(String schemaName, String... properties) {
    JsonNode body = server.take().json();
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-2024-08-06");
    JsonNode format = body.path("response_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    assertThat(format.path("json_schema").path("name").asText()).contains(schemaName);
    JsonNode schema = format.path("json_schema").path("schema");
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(n -> required.add(n.asText()));
    assertThat(required).containsExactlyInAnyOrder(properties);
    return body.path("messages").get(0).path("content").asText();
  }

  @Nested
  class Video {
    @Test
    void writesAStoryboardFittedToTheDuration() {
      answer("""
          {"title":"Morning Roast","logline":"A café wakes up.","scenes":[
            {"description":"Steam rises from a cup","durationSeconds":4,"camera":"macro, slow push-in","audio":"soft piano"},
            {"description":"The barista opens the shutters","durationSeconds":6,"camera":"wide, static","audio":"street ambience"},
            {"description":"The first customer smiles","durationSeconds":6,"camera":"close-up","audio":"narrator: good morning"}]}
          """);
      TestContext context = new TestContext("video_generation");

      VideoStoryboardResult result = (VideoStoryboardResult) openai.video().generate(
          new VideoGenerationPayload("a café opening at dawn", 20, "4k", "documentary"), context);

      String system = structuredRequest("StoryboardReply", "title", "logline", "scenes");
      assertThat(system).contains("documentary video of 20 seconds at 4k (3840x2160)").contains("between 1 and 6 scenes");
      assertThat(result.simulated()).isTrue();
      assertThat(result.title()).isEqualTo("Morning Roast");
      assertThat(result.resolution()).isEqualTo("4k");
      assertThat(result.frameSize()).isEqualTo("3840x2160");
      assertThat(result.style()).isEqualTo("documentary");
      assertThat(result.durationSeconds()).isEqualTo(20);
      // 4 + 6 + 6 = 16 s asked for 20 s: scaled by 1.25, starts follow.
      assertThat(result.scenes()).extracting(VideoStoryboardResult.Scene::number).containsExactly(1, 2, 3);
      assertThat(result.scenes()).extracting(VideoStoryboardResult.Scene::durationSeconds).containsExactly(5.0, 7.5, 7.5);
      assertThat(result.scenes()).extracting(VideoStoryboardResult.Scene::startSeconds).containsExactly(0.0, 5.0, 12.5);
      assertThat(result.scenes().get(0).camera()).isEqualTo("macro, slow push-in");
      assertThat(result.model()).isEqualTo("gpt-4o-2024-08-06");
      assertThat(result.usage()).isEqualTo(new TokenUsage(19, 10, 29));
      assertThat(context.messages()).containsExactly(
          "5 validated", "10 request sent to OpenAI (gpt-4o-2024-08-06)", "70 response received", "95 post-processed");
      assertThat(context.parts()).as("each scene streamed as a part").containsExactlyElementsOf(result.scenes());
    }

    @Test
    void aStoryboardWithoutScenesIsMalformed() {
      answer("{\"title\":\"T\",\"logline\":\"L\",\"scenes\":[]}");

      assertThatThrownBy(() -> openai.video().generate(VideoGenerationPayload.of("x"), new TestContext("video_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessage("OpenAI returned a malformed response to video storyboard: scenes is missing or empty");
    }

    @Test
    void aSceneOfNoLengthIsMalformed() {
      answer("{\"title\":\"T\",\"logline\":\"L\",\"scenes\":[{\"description\":\"d\",\"durationSeconds\":0,\"camera\":\"c\",\"audio\":\"a\"}]}");

      assertThatThrownBy(() -> openai.video().generate(VideoGenerationPayload.of("x"), new TestContext("video_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessageContaining("scenes[0].durationSeconds must be positive, was 0.0");
    }

    @Test
    void jsonThatDoesNotFitTheSchemaIsMalformed() {
      answer("{\"title\":\"T\",\"scenes\":[{\"text\":\"d\"}]}");

      assertThatThrownBy(() -> openai.video().generate(VideoGenerationPayload.of("x"), new TestContext("video_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessageStartingWith("OpenAI returned a malformed response to video storyboard: the JSON the model wrote does not match the schema");
    }

    @Test
    void aReplyCutOffAtTheLimitIsMalformed() {
      server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200,
          OpenAiReplies.chat("gpt-4o", "{\"title\":\"T\",\"scen", "length", null)));

      assertThatThrownBy(() -> openai.video().generate(VideoGenerationPayload.of("x"), new TestContext("video_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessageContaining("cut off at the token limit");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
      "too short | 2 | | | payload.durationSeconds | payload.durationSeconds must be between 5 and 600, was 2",
      "too long | 601 | | | payload.durationSeconds | payload.durationSeconds must be between 5 and 600, was 601",
      "unknown resolution | | 8k | | payload.resolution | payload.resolution must be one of 720p, 1080p, 4k, was '8k'",
      "unknown style | | | horror | payload.style | payload.style must be one of cinematic, documentary, animation, commercial, music_video, vlog, tutorial, was 'horror'",
    })
    void refusesBadPayloads(String name, Integer duration, String resolution, String style, String field, String message) {
      assertThatThrownBy(() -> openai.video().validate(new VideoGenerationPayload("x", duration, resolution, style)))
          .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
          .hasMessage(message);
    }
  }

  @Nested
  class Music {
    @Test
    void writesACompositionSheetWithTheRequestedTempo() {
      answer("""
          {"title":"Harbour Lights","key":"D major","tempoBpm":128,"timeSignature":"4/4",
           "structure":[{"name":"intro","bars":8,"description":"pads"},{"name":"chorus","bars":16,"description":"full band"}],
           "instrumentation":[{"instrument":"synth pad","role":"harmony"},{"instrument":"drum machine","role":"groove"}]}
          """);

      MusicCompositionResult result = (MusicCompositionResult) openai.music().generate(
          new MusicGenerationPayload("a night by the sea", "electronic", "uplifting", 90, 100), new TestContext("music_generation"));

      String system = structuredRequest("CompositionReply", "title", "key", "tempoBpm", "timeSignature", "structure", "instrumentation");
      assertThat(system).contains("uplifting electronic piece of about 90 seconds at 100 BPM");
      assertThat(result.simulated()).isTrue();
      assertThat(result.title()).isEqualTo("Harbour Lights");
      assertThat(result.key()).isEqualTo("D major");
      assertThat(result.tempoBpm()).isEqualTo(100);
      assertThat(result.genre()).isEqualTo("electronic");
      assertThat(result.mood()).isEqualTo("uplifting");
      assertThat(result.durationSeconds()).isEqualTo(90);
      assertThat(result.structure()).extracting(MusicCompositionResult.Section::name).containsExactly("intro", "chorus");
      assertThat(result.instrumentation()).extracting(MusicCompositionResult.Instrument::instrument)
          .containsExactly("synth pad", "drum machine");
    }

    @Test
    void withoutATempoTheModelsIsKeptWhenPlausible() {
      answer("{\"title\":\"T\",\"key\":\"C\",\"tempoBpm\":72,\"timeSignature\":\"3/4\",\"structure\":[{\"name\":\"A\",\"bars\":4,\"description\":\"\"}],\"instrumentation\":[{\"instrument\":\"piano\",\"role\":\"all\"}]}");

      MusicCompositionResult result = (MusicCompositionResult) openai.music().generate(
          MusicGenerationPayload.of("a lullaby"), new TestContext("music_generation"));

      assertThat(structuredRequest("CompositionReply", "title", "key", "tempoBpm", "timeSignature", "structure", "instrumentation"))
          .contains("calm pop piece of about 120 seconds:");
      assertThat(result.tempoBpm()).isEqualTo(72);
    }

    @Test
    void anImplausibleTempoIsMalformed() {
      answer("{\"title\":\"T\",\"key\":\"C\",\"tempoBpm\":900,\"timeSignature\":\"4/4\",\"structure\":[{\"name\":\"A\",\"bars\":4,\"description\":\"\"}],\"instrumentation\":[{\"instrument\":\"piano\",\"role\":\"all\"}]}");

      assertThatThrownBy(() -> openai.music().generate(MusicGenerationPayload.of("x"), new TestContext("music_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessage("OpenAI returned a malformed response to music composition: tempoBpm must be 40-240, was 900");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
      "unknown genre | polka | | | | payload.genre | payload.genre must be one of pop, rock, jazz, classical, electronic, hip_hop, ambient, folk, cinematic, lofi, was 'polka'",
      "unknown mood | | grumpy | | | payload.mood | payload.mood must be one of happy, sad, calm, energetic, dark, romantic, epic, mysterious, uplifting, was 'grumpy'",
      "too short | | | 5 | | payload.durationSeconds | payload.durationSeconds must be between 10 and 600, was 5",
      "too fast | | | | 300 | payload.tempo | payload.tempo must be between 40 and 240, was 300",
    })
    void refusesBadPayloads(String name, String genre, String mood, Integer duration, Integer tempo, String field, String message) {
      assertThatThrownBy(() -> openai.music().validate(new MusicGenerationPayload("x", genre, mood, duration, tempo)))
          .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
          .hasMessage(message);
    }
  }

  @Nested
  class Model3d {
    private static final String SPEC = """
        {"name":"Vintage Desk Lamp","description":"A brass desk lamp with a hinged arm.",
         "dimensions":{"width":0.2,"height":0.45,"depth":0.3,"unit":"m"},
         "meshes":[{"name":"base","triangles":4000,"material":"brass"},{"name":"shade","triangles":%d,"material":"brass"}],
         "materials":[{"name":"brass","workflow":"PBR metallic-roughness","textures":["baseColor","normal","roughness"]}],
         "notes":["bevel the hinge edges"]}
        """;

    @Test
    void writesASpecCheckedAgainstTheBudget() {
      answer(SPEC.formatted(6000));

      Model3dSpecResult result = (Model3dSpecResult) openai.model3d().generate(
          new Model3dGenerationPayload("a vintage desk lamp", "glb", 12000, "realistic"), new TestContext("model3d_generation"));

      String system = structuredRequest("SpecReply", "name", "description", "dimensions", "meshes", "materials", "notes");
      assertThat(system).contains("realistic 3D asset to be delivered as GLB within a budget of 12000 triangles");
      assertThat(result.simulated()).isTrue();
      assertThat(result.fileName()).isEqualTo("vintage-desk-lamp.glb");
      assertThat(result.format()).isEqualTo("glb");
      assertThat(result.polycountBudget()).isEqualTo(12000);
      assertThat(result.estimatedPolycount()).isEqualTo(10000);
      assertThat(result.withinBudget()).isTrue();
      assertThat(result.dimensions()).isEqualTo(new Model3dSpecResult.Dimensions(0.2, 0.45, 0.3, "m"));
      assertThat(result.materials()).singleElement().satisfies(m -> assertThat(m.textures()).contains("normal"));
      assertThat(result.notes()).containsExactly("bevel the hinge edges");
    }

    @Test
    void overTheBudgetIsNotedAndStlDropsMaterials() {
      answer(SPEC.formatted(60000));

      Model3dSpecResult result = (Model3dSpecResult) openai.model3d().generate(
          new Model3dGenerationPayload("a vintage desk lamp", "stl", 20000, "hard_surface"), new TestContext("model3d_generation"));

      assertThat(result.estimatedPolycount()).isEqualTo(64000);
      assertThat(result.withinBudget()).isFalse();
      assertThat(result.materials()).isEmpty();
      assertThat(result.fileName()).isEqualTo("vintage-desk-lamp.stl");
      assertThat(result.notes()).containsExactly(
          "bevel the hinge edges",
          "the meshes add up to 64,000 triangles, over the budget of 20,000: decimate or simplify before export",
          "STL stores geometry only: the 1 material(s) are dropped; choose GLB, FBX or USDZ to keep them");
    }

    @Test
    void negativeDimensionsAreMalformed() {
      answer(SPEC.formatted(10).replace("\"width\":0.2", "\"width\":-1"));

      assertThatThrownBy(() -> openai.model3d().generate(Model3dGenerationPayload.of("x"), new TestContext("model3d_generation")))
          .isInstanceOf(PermanentGenerationException.class)
          .hasMessage("OpenAI returned a malformed response to 3D model specification: dimensions must be positive, were -1.0 x 0.45 x 0.3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
      "unknown format | blend | | | payload.format | payload.format must be one of glb, obj, fbx, stl, usdz, was 'blend'",
      "tiny budget | | 10 | | payload.polycount | payload.polycount must be between 100 and 5000000, was 10",
      "unknown style | | | voxel | payload.style | payload.style must be one of realistic, low_poly, stylized, cartoon, hard_surface, was 'voxel'",
    })
    void refusesBadPayloads(String name, String format, Integer polycount, String style, String field, String message) {
      assertThatThrownBy(() -> openai.model3d().validate(new Model3dGenerationPayload("x", format, polycount, style)))
          .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
          .hasMessage(message);
    }
  }
}
