package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Usage;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the generators report consumed, in the real runtime: {@link JobManager} on the in-memory
 * store (which keeps usage), a {@link ManualWorker} running one attempt at a time, the client
 * pointed at the local OpenAI-shaped server. A job's usage is what the replies counted, under the
 * model they name, attempt by attempt, failed attempts included.
 */
class UsageReportingTest {
  private static final String CHAT = "/v1/chat/completions";
  private static final String IMAGES = "/v1/images/generations";

  private final FakeOpenAi server = FakeOpenAi.start();
  private final MutableClock clock = new MutableClock();
  private @TempDir Path dir;
  private OpenAiGenerators openai;
  private JobManager jobs;
  private ManualWorker worker;

  private void start(OpenAiGenerators.Builder settings) {
    openai = settings.apiKey("sk-test").baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(10)).build();
    jobs = JobManager.builder().store(new InMemoryJobStore(clock)).generators(openai.all())
        .quotaPolicy(QuotaPolicy.unlimited()).build();
    worker = ManualWorker.of(jobs);
  }

  /** Image URLs from the fake server, which is plain http on 127.0.0.1, downloaded and kept. */
  private OpenAiGenerators.Builder downloading() {
    return OpenAiGenerators.builder().artifactStore(LocalDirectoryArtifactStore.of(dir)).imageTransfer(ImageTransfer.FETCH_URL)
        .imageAllowHttp(true).imageAllowPrivateAddresses(true);
  }

  @AfterEach
  void stop() {
    if (jobs != null) {
      jobs.close();
    }
    if (openai != null) {
      openai.close();
    }
    server.close();
  }

  /** Runs the job's next attempt and reads the job back. */
  private Job attempt(Job job) {
    assertThat(worker.runNext()).as("a due attempt").isPresent();
    return jobs.get("alice", job.id());
  }

  @Test
  void aTextJobCountsTheTokensOfTheReplyUnderTheModelThatRan() {
    start(OpenAiGenerators.builder().textModel("gpt-4o-mini"));
    server.on(CHAT, FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini-2024-07-18", "Hi Ana, ...", 812, 240)));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("a note to Ana")));
    worker.runNext();

    // EXAMPLE-BEGIN job-usage
    Job done = jobs.get("alice", job.id());
    Usage usage = done.usage(); // every attempt's, added up; done.attemptUsage() has them one by one
    BigDecimal written = usage.amount("gpt-4o-mini-2024-07-18", Usage.Unit.OUTPUT_TOKENS); // 240
    String json = usage.toJson(); // {"gpt-4o-mini-2024-07-18":{"input_tokens":812,"output_tokens":240}}
    // EXAMPLE-END job-usage

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(server.take().json().path("stream_options").path("include_usage").asBoolean())
        .as("the text streams, asking for the usage chunk").isTrue();
    assertThat(usage).isEqualTo(Usage.of("gpt-4o-mini-2024-07-18").inputTokens(812).outputTokens(240).build());
    assertThat(written).isEqualByComparingTo("240");
    assertThat(json).isEqualTo("{\"gpt-4o-mini-2024-07-18\":{\"input_tokens\":812,\"output_tokens\":240}}");
    assertThat(done.attemptUsage()).containsExactly(Map.entry(1, usage));
    assertThat(done.resultTree().path("usage").path("totalTokens").asLong()).as("the result's TokenUsage agrees").isEqualTo(1052);
  }

  @Test
  void aStreamedTextCountsTheUsageOfItsLastChunk() {
    start(OpenAiGenerators.builder().textModel("gpt-4o-mini"));
    server.on(CHAT, FakeOpenAi.Reply.stream(
        OpenAiReplies.chatChunks("gpt-4o-mini-2024-07-18", List.of("Trees ", "cool ", "streets."), "stop", 57, 3), Duration.ZERO));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("why cities plant trees")));

    Job done = attempt(job);

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    Usage counted = Usage.of("gpt-4o-mini-2024-07-18").inputTokens(57).outputTokens(3).build();
    assertThat(done.usage()).isEqualTo(counted);
    assertThat(done.attemptUsage()).containsExactly(Map.entry(1, counted));
  }

  @Test
  void aStreamFilteredAfterItsTextFailsButItsTokensAreCounted() {
    start(OpenAiGenerators.builder());
    server.on(CHAT, FakeOpenAi.Reply.stream(
        OpenAiReplies.chatChunks("gpt-4o-mini", List.of("Once ", "upon"), "content_filter", 57, 2), Duration.ZERO));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("a story")));

    Job failed = attempt(job);

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorMessage()).contains("content filter");
    assertThat(failed.attemptUsage()).containsExactly(Map.entry(1, Usage.of("gpt-4o-mini").inputTokens(57).outputTokens(2).build()));
  }

  @Test
  void aStreamThatEndsBeforeItsFinishReasonFailsButItsUsageChunkIsCounted() {
    start(OpenAiGenerators.builder());
    List<String> chunks = new java.util.ArrayList<>(OpenAiReplies.chatChunks("gpt-4o-mini", List.of("Once ", "upon"), "stop", 57, 2));
    chunks.remove(chunks.size() - 2); // the chunk with the finish reason
    server.on(CHAT, FakeOpenAi.Reply.stream(chunks, Duration.ZERO));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("a story")));

    Job failed = attempt(job);

    assertThat(failed.status()).as("a broken reply is not retried").isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorMessage()).startsWith("OpenAI returned a malformed response to text generation: the stream's chunks");
    assertThat(failed.attemptUsage()).containsExactly(Map.entry(1, Usage.of("gpt-4o-mini").inputTokens(57).outputTokens(2).build()));
  }

  @Test
  void aTextReplyWithoutUsageRecordsNothing() {
    start(OpenAiGenerators.builder());
    server.on(CHAT, FakeOpenAi.Reply.json(200, OpenAiReplies.withoutUsage(OpenAiReplies.chat("gpt-4o-mini", "A note."))));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.TEXT, TextGenerationPayload.of("a note")));

    Job done = attempt(job);

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.usage()).isEqualTo(Usage.NONE);
    assertThat(done.attemptUsage()).isEmpty();
  }

  @Test
  void aStoryboardJobCountsUnderTheModelTheReplyNames() {
    start(OpenAiGenerators.builder().simulationModel("gpt-4o"));
    server.on(CHAT, FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-2024-08-06", GeneratorCase.STORYBOARD, 640, 1210)));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.VIDEO, VideoGenerationPayload.of("a café at dawn")));

    Job done = attempt(job);

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.usage()).isEqualTo(Usage.of("gpt-4o-2024-08-06").inputTokens(640).outputTokens(1210).build());
  }

  @Test
  void aRefusedStoryboardFailsButItsTokensAreCounted() {
    start(OpenAiGenerators.builder());
    server.on(CHAT, FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", null, "stop", "I can't help with that.")));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.VIDEO, VideoGenerationPayload.of("a café at dawn")));

    Job failed = attempt(job);

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorMessage()).contains("the model refused");
    // OpenAiReplies.chat counts 19 prompt and 10 completion tokens unless told otherwise.
    assertThat(failed.attemptUsage()).containsExactly(Map.entry(1, Usage.of("gpt-4o-mini").inputTokens(19).outputTokens(10).build()));
  }

  @Test
  void eachImageAttemptCountsItsImageEvenWhenItsDownloadFails() {
    start(downloading());
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(server.url("/files/gone.png"), "r")));
    server.on("/files/gone.png", FakeOpenAi.Reply.json(403, "<Error>AuthenticationFailed</Error>"));
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(server.url("/files/img.png"), "r")));
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.IMAGE, ImageGenerationPayload.of("a kite")));

    Job retrying = attempt(job);
    clock.advance(Duration.ofHours(1));
    Job done = attempt(job);

    Usage oneImage = Usage.of("dall-e-3").images(1).build();
    assertThat(retrying.status()).as("the expired URL is retried").isEqualTo(JobStatus.PENDING);
    assertThat(retrying.attemptUsage()).containsExactly(Map.entry(1, oneImage));
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.attemptUsage()).containsExactly(Map.entry(1, oneImage), Map.entry(2, oneImage));
    assertThat(done.usage()).isEqualTo(Usage.of("dall-e-3").images(2).build());
  }

  @Test
  void aRefusedDownloadFailsTheJobWithItsImageCounted() {
    start(OpenAiGenerators.builder().artifactStore(LocalDirectoryArtifactStore.of(dir)).imageTransfer(ImageTransfer.FETCH_URL));
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://169.254.169.254/latest/meta-data/", "r")));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.IMAGE, ImageGenerationPayload.of("a kite")));

    Job failed = attempt(job);

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorMessage()).startsWith("image URL refused");
    assertThat(failed.attemptUsage()).containsExactly(Map.entry(1, Usage.of("dall-e-3").images(1).build()));
  }

  @Test
  void aGptImageJobCountsItsImageAndTheTokensOfTheReply() {
    start(OpenAiGenerators.builder().imageModel("gpt-image-1").artifactStore(LocalDirectoryArtifactStore.of(dir)));
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.gptImage(OpenAiReplies.png(), 50, 4160)));
    Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.IMAGE, ImageGenerationPayload.of("a kite")));

    Job done = attempt(job);

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.usage()).isEqualTo(Usage.of("gpt-image-1").images(1).inputTokens(50).outputTokens(4160).build());
  }

  static List<GeneratorCase> cases() {
    return GeneratorCase.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyGeneratorReportsWhatItsReplyCounted(GeneratorCase c) {
    start(OpenAiGenerators.builder());
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()));
    TestContext context = new TestContext(c.type());

    c.run(openai, context);

    assertThat(context.usage()).isEqualTo(c.path().equals(IMAGES)
        ? Usage.of(c.model()).images(1).build()
        : Usage.of("gpt-4o-mini").inputTokens(19).outputTokens(10).build());
  }

  @ParameterizedTest(name = "reply model ''{0}''")
  @ValueSource(strings = {"", "gpt 4o (preview)"})
  void aReplyModelThatIsNoUsableNameCountsUnderTheModelAskedFor(String replyModel) {
    start(OpenAiGenerators.builder().simulationModel("gpt-4o"));
    server.on(CHAT, FakeOpenAi.Reply.json(200, OpenAiReplies.chat(replyModel, GeneratorCase.SHEET, 300, 500)));
    TestContext context = new TestContext("music_generation");

    openai.music().generate(MusicGenerationPayload.of("a lullaby"), context);

    assertThat(context.usage()).isEqualTo(Usage.of("gpt-4o").inputTokens(300).outputTokens(500).build());
  }
}
