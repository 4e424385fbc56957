package dev.asyncjobs.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobOutput;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The six demo generators through the real manager and worker: progress, results, refusals. */
class DemoGeneratorsTest {
  private InMemoryJobStore store;
  private JobManager jobs;
  private JobWorker worker;

  @BeforeEach
  void start() {
    store = new InMemoryJobStore(Clock.systemUTC());
    jobs = JobManager.builder()
        .store(store)
        .generators(DemoGenerators.all(new DemoSettings(Duration.ofMillis(5))))
        .moderator(DemoGenerators.moderator())
        .quotaPolicy(QuotaPolicy.unlimited())
        .build();
    worker = JobWorker.builder(jobs).concurrency(6).progressInterval(Duration.ofMillis(1)).build().start();
  }

  @AfterEach
  void stop() {
    worker.close();
    jobs.close();
    store.close();
  }

  @Test
  void eachTypeReportsProgressAndMakesALabelledResult() throws InterruptedException {
    Map<String, String> payloads = Map.of(
        ImageGenerationDemo.TYPE, "{\"prompt\":\"a lighthouse at dusk\",\"style\":\"Digital art\",\"size\":\"1200x628\"}",
        TextGenerationDemo.TYPE, "{\"prompt\":\"explain durable job queues\",\"tone\":\"friendly\",\"length\":\"short\",\"audience\":\"new colleagues\"}",
        VideoGenerationDemo.TYPE, "{\"prompt\":\"a paper boat\",\"durationSeconds\":20,\"resolution\":\"4k\",\"style\":\"documentary\"}",
        MusicGenerationDemo.TYPE, "{\"prompt\":\"rainy afternoon\",\"genre\":\"lofi\",\"mood\":\"calm\",\"durationSeconds\":60}",
        Model3dGenerationDemo.TYPE, "{\"prompt\":\"a wooden chair\",\"format\":\"stl\",\"polycount\":5000,\"style\":\"low-poly\"}",
        GraphicGenerationDemo.TYPE, "{\"prompt\":\"Northwind Coffee\",\"kind\":\"logo\"}");
    Map<String, List<Integer>> progressByJob = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(payloads.size());
    List<Job> created = new ArrayList<>();
    try (Subscription s = jobs.subscribe("demo", e -> {
      if (e.kind() == JobEvent.Kind.PROGRESS) {
        progressByJob.computeIfAbsent(e.jobId().toString(), k -> new ArrayList<>()).add(e.progress());
      }
      if (e.status().isFinal()) {
        done.countDown();
      }
    })) {
      payloads.forEach((type, payload) ->
          created.add(jobs.create(JobRequest.builder("demo", type).payload(payload).build())));
      assertThat(done.await(30, TimeUnit.SECONDS)).as("all six finish").isTrue();
    }

    for (Job c : created) {
      Job job = jobs.get("demo", c.id());
      assertThat(job.status()).as(job.type() + ": " + job.errorMessage()).isEqualTo(JobStatus.COMPLETED);
      assertThat(progressByJob.get(job.id().toString())).as(job.type() + " progress").hasSizeGreaterThan(3).isSorted();
      JsonNode result = job.resultTree();
      assertThat(result.get("demo").asBoolean()).as(job.type() + " is labelled demo").isTrue();
      assertThat(result.get("model").asText()).startsWith("demo-");
      checkResult(job.type(), result);
      checkStreamed(job, jobs.output("demo", job.id()));
    }
  }

  /** The text demo streams its words, the video demo its scenes, the image demo its image: what the result holds. */
  private static void checkStreamed(Job job, JobOutput out) {
    JsonNode r = job.resultTree();
    switch (job.type()) {
      case TextGenerationDemo.TYPE -> assertThat(out.text()).isEqualTo(r.get("text").asText());
      case VideoGenerationDemo.TYPE -> assertThat(out.parts()).containsExactlyElementsOf(r.get("scenes"));
      case ImageGenerationDemo.TYPE -> assertThat(out.parts()).containsExactlyElementsOf(r.get("images"));
      default -> assertThat(out.text()).as(job.type() + " streams nothing").isEmpty();
    }
  }

  /** Field names as the OpenAI generators write them, so that clients read both alike. */
  private static void checkResult(String type, JsonNode r) {
    switch (type) {
      case ImageGenerationDemo.TYPE -> {
        assertThat(r.get("images")).hasSize(1);
        assertThat(svgOf(r.get("images").get(0).get("url").asText())).startsWith("<svg").contains("a lighthouse at dusk");
        assertThat(r.get("style").asText()).isEqualTo("digital_art");
        assertThat(r.get("requestedSize").asText()).isEqualTo("1200x628");
        assertThat(r.get("size").asText()).isEqualTo("1200x628");
        assertThat(r.get("prompt").asText()).startsWith("A digital art picture");
      }
      case TextGenerationDemo.TYPE -> {
        assertThat(r.get("text").asText()).startsWith("Happy to help").contains("new colleagues").contains("durable");
        assertThat(r.get("kind").asText()).isEqualTo("article");
        assertThat(r.get("finishReason").asText()).isEqualTo("stop");
        assertThat(r.get("usage").get("totalTokens").asLong()).isPositive();
      }
      case VideoGenerationDemo.TYPE -> {
        assertThat(r.get("simulated").asBoolean()).isTrue();
        assertThat(r.get("frameSize").asText()).isEqualTo("3840x2160");
        double total = 0;
        for (JsonNode scene : r.get("scenes")) {
          total += scene.get("durationSeconds").asDouble();
          assertThat(scene.get("camera").asText()).isNotBlank();
        }
        assertThat(total).as("scenes add up to the duration").isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(svgOf(r.get("poster").asText())).startsWith("<svg");
      }
      case MusicGenerationDemo.TYPE -> {
        assertThat(r.get("simulated").asBoolean()).isTrue();
        assertThat(r.get("tempoBpm").asInt()).isEqualTo(82);
        assertThat(r.get("waveform")).hasSize(48).allSatisfy(v -> assertThat(v.asDouble()).isBetween(0.0, 1.0));
        assertThat(r.get("structure").get(0).get("name").asText()).isEqualTo("intro");
        assertThat(r.get("instrumentation").size()).isPositive();
      }
      case Model3dGenerationDemo.TYPE -> {
        assertThat(r.get("style").asText()).isEqualTo("low_poly");
        assertThat(r.get("withinBudget").asBoolean()).isTrue();
        assertThat(r.get("estimatedPolycount").asLong()).isBetween(4000L, 5000L);
        assertThat(r.get("materials")).as("STL keeps no materials").isEmpty();
        assertThat(r.get("notes").toString()).contains("STL");
        assertThat(r.get("fileName").asText()).isEqualTo("a_wooden_chair.stl");
        assertThat(r.get("previewObj").asText()).contains("\nv ").contains("\nf 1 2 4 3");
      }
      case GraphicGenerationDemo.TYPE -> {
        assertThat(svgOf(r.get("images").get(0).get("url").asText())).startsWith("<svg").contains(">NC</text>");
        assertThat(r.get("size").asText()).isEqualTo("512x512");
        assertThat(r.get("palette")).hasSize(4);
      }
      default -> throw new AssertionError("unexpected type " + type);
    }
  }

  private static String svgOf(String dataUrl) {
    assertThat(dataUrl).startsWith("data:image/svg+xml;base64,");
    return new String(Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "image_generation   | {\"prompt\":\"x\",\"size\":\"huge\"}            | payload.size",
      "image_generation   | {\"prompt\":\"x\",\"size\":\"9000x100\"}        | payload.size",
      "image_generation   | {\"prompt\":\"x\",\"style\":\"grim\"}           | payload.style",
      "text_generation    | {\"prompt\":\"x\",\"length\":\"epic\"}          | payload.length",
      "text_generation    | {\"prompt\":\"x\",\"kind\":\"sonnet\"}          | payload.kind",
      "video_generation   | {\"prompt\":\"x\",\"durationSeconds\":601}       | payload.durationSeconds",
      "video_generation   | {\"prompt\":\"x\",\"resolution\":\"8k\"}        | payload.resolution",
      "music_generation   | {\"prompt\":\"x\",\"genre\":\"polka\"}          | payload.genre",
      "music_generation   | {\"prompt\":\"x\",\"tempo\":500}                 | payload.tempo",
      "model3d_generation | {\"prompt\":\"x\",\"format\":\"blend\"}         | payload.format",
      "model3d_generation | {\"prompt\":\"x\",\"polycount\":10}              | payload.polycount",
      "graphic_generation | {\"prompt\":\"x\",\"kind\":\"mural\"}           | payload.kind",
      "graphic_generation | {\"prompt\":\"x\",\"width\":300}                 | payload.height",
      "graphic_generation | {\"kind\":\"logo\"}                                | payload.prompt",
  })
  void badPayloadsAreRefusedAtCreateNamingTheField(String type, String payload, String field) {
    assertThatThrownBy(() -> jobs.create(JobRequest.builder("demo", type).payload(payload).build()))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field));
    assertThat(jobs.list(dev.asyncjobs.JobQuery.forOwner("demo").build()).items()).isEmpty();
  }

  @Test
  void theDemoModerationChecksOnlyThePrompt() {
    assertThat(DemoGenerators.moderator().moderate("u", "t", List.of("a massacre")).categories())
        .containsExactly("violence");
    assertThat(DemoGenerators.moderator().moderate("u", "t", List.of("a gorgeous sunset")).flagged())
        .as("whole words only").isFalse();
  }
}
