package dev.asyncjobs.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
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
        ImageGenerationDemo.TYPE, "{\"prompt\":\"a lighthouse at dusk\",\"size\":\"512x512\",\"n\":2}",
        TextGenerationDemo.TYPE, "{\"prompt\":\"explain durable job queues\",\"maxWords\":40,\"tone\":\"friendly\"}",
        VideoGenerationDemo.TYPE, "{\"prompt\":\"a paper boat\",\"durationSeconds\":10,\"resolution\":\"1080p\"}",
        MusicGenerationDemo.TYPE, "{\"prompt\":\"rainy afternoon\",\"genre\":\"lofi\",\"durationSeconds\":60}",
        Model3dGenerationDemo.TYPE, "{\"prompt\":\"a wooden chair\",\"format\":\"obj\",\"polygonBudget\":5000}",
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
    }
  }

  private static void checkResult(String type, JsonNode r) {
    switch (type) {
      case ImageGenerationDemo.TYPE -> {
        assertThat(r.get("images")).hasSize(2);
        JsonNode image = r.get("images").get(0);
        assertThat(image.get("width").asInt()).isEqualTo(512);
        assertThat(svgOf(image.get("url").asText())).startsWith("<svg").contains("a lighthouse at dusk");
      }
      case TextGenerationDemo.TYPE -> {
        assertThat(r.get("text").asText()).startsWith("Happy to help").contains("durable");
        assertThat(r.get("words").asInt()).isLessThanOrEqualTo(40);
        assertThat(r.get("finishReason").asText()).isIn("stop", "length");
      }
      case VideoGenerationDemo.TYPE -> {
        assertThat(r.get("width").asInt()).isEqualTo(1920);
        assertThat(r.get("frameCount").asInt()).isEqualTo(240);
        assertThat(r.get("scenes").size()).isGreaterThan(1);
        assertThat(svgOf(r.get("poster").asText())).startsWith("<svg");
      }
      case MusicGenerationDemo.TYPE -> {
        assertThat(r.get("bpm").asInt()).isEqualTo(85);
        assertThat(r.get("waveform")).hasSize(48).allSatisfy(v -> assertThat(v.asDouble()).isBetween(0.0, 1.0));
        assertThat(r.get("sections").get(0).get("name").asText()).isEqualTo("intro");
      }
      case Model3dGenerationDemo.TYPE -> {
        assertThat(r.get("triangles").asInt()).isBetween(4500, 5000);
        assertThat(r.get("previewObj").asText()).contains("\nv ").contains("\nf 1 2 4 3");
      }
      case GraphicGenerationDemo.TYPE -> {
        assertThat(r.get("svg").asText()).startsWith("<svg").contains(">NC</text>");
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
      "image_generation   | {\"prompt\":\"x\",\"size\":\"100x100\"}      | payload.size",
      "image_generation   | {\"prompt\":\"x\",\"style\":\"grim\"}        | payload.style",
      "text_generation    | {\"prompt\":\"x\",\"maxWords\":5}            | payload.maxWords",
      "video_generation   | {\"prompt\":\"x\",\"durationSeconds\":600}   | payload.durationSeconds",
      "video_generation   | {\"prompt\":\"x\",\"resolution\":\"8k\"}     | payload.resolution",
      "music_generation   | {\"prompt\":\"x\",\"genre\":\"polka\"}       | payload.genre",
      "music_generation   | {\"prompt\":\"x\",\"bpm\":500}               | payload.bpm",
      "model3d_generation | {\"prompt\":\"x\",\"format\":\"fbx\"}        | payload.format",
      "model3d_generation | {\"prompt\":\"x\",\"polygonBudget\":10}      | payload.polygonBudget",
      "graphic_generation | {\"prompt\":\"x\",\"kind\":\"mural\"}        | payload.kind",
      "graphic_generation | {\"kind\":\"logo\"}                          | payload.prompt",
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
