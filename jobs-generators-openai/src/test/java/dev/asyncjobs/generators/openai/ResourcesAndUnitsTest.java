package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.Generator;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the generators tell the job runtime's limits: each declares its configured model as its
 * resource, estimates a job's units from the request it will send, and reports what OpenAI
 * counted.
 */
class ResourcesAndUnitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeOpenAi server = FakeOpenAi.start();
  private OpenAiGenerators openai =
      OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).build();

  @AfterEach
  void stop() {
    openai.close();
    server.close();
  }

  static List<GeneratorCase> cases() {
    return GeneratorCase.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachGeneratorDeclaresItsDefaultModelAsItsResource(GeneratorCase c) {
    assertThat(c.generator().apply(openai).resources()).containsExactly("openai:" + c.model());
  }

  @Test
  void theResourceIsTheConfiguredModelSharedByTheTypesOnIt(@TempDir Path dir) {
    openai.close();
    openai = OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl())
        .artifactStore(LocalDirectoryArtifactStore.of(dir))
        .imageModel("gpt-image-1").graphicModel("dall-e-2").textModel("gpt-4.1").simulationModel("gpt-4o")
        .build();

    assertThat(openai.image().resources()).containsExactly("openai:gpt-image-1");
    assertThat(openai.graphic().resources()).containsExactly("openai:dall-e-2");
    assertThat(openai.text().resources()).containsExactly("openai:gpt-4.1");
    assertThat(openai.video().resources()).containsExactly("openai:gpt-4o");
    assertThat(openai.music().resources()).containsExactly("openai:gpt-4o");
    assertThat(openai.model3d().resources()).containsExactly("openai:gpt-4o");
    assertThat(OpenAiGenerators.resource("gpt-image-1")).isEqualTo("openai:gpt-image-1");
    assertThatThrownBy(() -> OpenAiGenerators.resource("gpt image")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void aLimitOnTheModelsResourceBindsTheJobsOfEveryTypeOnIt() {
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager jobs = JobManager.builder().store(store).generators(openai.all()).build()) {
      // EXAMPLE-BEGIN limit
      jobs.defineLimit(JobLimit.builder(OpenAiGenerators.resource("gpt-4o-mini"))
          .maxStarts(500, Duration.ofMinutes(1))     // the key's requests per minute
          .maxUnits(200_000, Duration.ofMinutes(1))  // and its tokens per minute
          .build());
      // EXAMPLE-END limit
      jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("a note")));
      jobs.create(JobRequest.of("alice", OpenAiJobTypes.MUSIC, MusicGenerationPayload.of("a lullaby")));
      jobs.create(JobRequest.of("alice", OpenAiJobTypes.IMAGE, ImageGenerationPayload.of("a kite")));

      assertThat(jobs.limits()).filteredOn(l -> l.name().equals("openai:gpt-4o-mini")).singleElement()
          .satisfies(l -> {
            assertThat(l.limit().maxStarts()).hasValue(500);
            assertThat(l.waiting()).as("the text and the music job, not the image").isEqualTo(2);
          });
    }
  }

  @Test
  void aTextJobIsEstimatedAtItsMessagesTokensPlusItsTokenLimitAndReportsTheTokensUsed() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "Hi Ana, ...")));
    TextGenerationPayload payload =
        new TextGenerationPayload("announce our spring sale", "email", "friendly", "loyal customers", "short");
    TestContext context = new TestContext("text_generation");

    long estimate = openai.text().estimateUnits(payload);
    openai.text().generate(payload, context);

    JsonNode body = server.take().json();
    assertThat(body.path("max_completion_tokens").asLong()).isEqualTo(400);
    assertThat(estimate).isEqualTo(tokens(messageChars(body)) + 400);
    assertThat(context.reportedUnits()).as("usage.total_tokens of the stream's last chunk").containsExactly(29L);
  }

  @Test
  void aStreamedTextReportsTheUsageOfItsLastChunk() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.stream(
        OpenAiReplies.chatChunks("gpt-4o-mini", List.of("Trees ", "cool ", "streets."), "stop"), Duration.ZERO));
    TestContext context = new TestContext("text_generation");

    openai.text().generate(TextGenerationPayload.of("why cities plant trees"), context);

    assertThat(server.take().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(context.reportedUnits()).containsExactly(19L + 3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aStructuredJobIsEstimatedWithItsSchemaAndAnImageJobAtOneImage(GeneratorCase c) {
    @SuppressWarnings("unchecked")
    Generator<Object> generator = (Generator<Object>) c.generator().apply(openai);
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()));
    TestContext context = new TestContext(c.type());

    long estimate = generator.estimateUnits(c.payload());
    generator.generate(c.payload(), context);

    JsonNode body = server.take().json();
    if (c.path().equals("/v1/images/generations")) {
      assertThat(body.path("n").asInt()).isEqualTo(1);
      assertThat(estimate).isEqualTo(1);
      assertThat(context.reportedUnits()).as("the images in the reply").containsExactly(1L);
      return;
    }
    long schemaChars = body.has("response_format") ? body.get("response_format").toString().length() : 0;
    assertThat(estimate).isEqualTo(tokens(messageChars(body) + schemaChars) + body.path("max_completion_tokens").asLong());
    if (c.type().equals("text_generation")) {
      assertThat(schemaChars).isZero();
    } else {
      assertThat(schemaChars).as("the JSON schema counts as input").isGreaterThan(200);
    }
    assertThat(context.reportedUnits()).containsExactly(29L);
  }

  @Test
  void aReplyWithoutUsageReportsNothingAndTheReservationStands() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.withoutUsage(OpenAiReplies.chat("gpt-4o-mini", GeneratorCase.SHEET))));
    TestContext context = new TestContext("music_generation");

    openai.music().generate(MusicGenerationPayload.of("a lullaby"), context);

    assertThat(context.reportedUnits()).isEmpty();
    assertThat(context.usage().isEmpty()).as("no usage either").isTrue();
  }

  @Test
  void anImageReplyWithSeveralImagesReportsThemAll() {
    ObjectNode reply = (ObjectNode) read(OpenAiReplies.imageUrl("https://x/1.png", "r"));
    reply.withArray("data").addObject().put("url", "https://x/2.png");
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, reply.toString()));
    TestContext context = new TestContext("image_generation");

    openai.image().generate(ImageGenerationPayload.of("a kite"), context);

    assertThat(context.reportedUnits()).containsExactly(2L);
  }

  @Test
  void aContextThatDoesNotCountUnitsStillGetsItsResult() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "A note.")));
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/1.png", "r")));

    assertThat(openai.text().generate(TextGenerationPayload.of("a note"), TestContext.uncounted("text_generation")))
        .isInstanceOf(TextGenerationResult.class);
    assertThat(openai.image().generate(ImageGenerationPayload.of("a kite"), TestContext.uncounted("image_generation")))
        .isInstanceOf(ImageGenerationResult.class);
  }

  /** The characters of the request's messages. */
  private static long messageChars(JsonNode body) {
    long chars = 0;
    for (JsonNode m : body.path("messages")) {
      chars += m.path("content").asText().length();
    }
    return chars;
  }

  private static long tokens(long chars) {
    return (chars + 3) / 4;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
