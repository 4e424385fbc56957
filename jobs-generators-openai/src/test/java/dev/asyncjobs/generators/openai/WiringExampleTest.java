package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wiring example of docs/generators.md, run against the local OpenAI-shaped server. */
class WiringExampleTest {
  @Test
  @SuppressWarnings("try") // the worker runs in the background: the example only starts and closes it
  void wiresTheGeneratorsTheModeratorAndAnArtifactStore(@TempDir Path dir) {
    try (FakeOpenAi server = FakeOpenAi.start()) {
      server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(1, Set.of())));
      server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));
      String apiKey = "sk-test";
      String baseUrl = server.baseUrl(); // leave it out to talk to api.openai.com
      Path artifacts = dir;
      EventRecorder events = new EventRecorder();

      // EXAMPLE-BEGIN wiring
      try (OpenAiGenerators openai = OpenAiGenerators.builder()
              .apiKey(apiKey)
              .baseUrl(baseUrl)
              .imageModel("dall-e-3")
              .textModel("gpt-4o-mini")
              .timeout(Duration.ofSeconds(90))
              .artifactStore(LocalDirectoryArtifactStore.of(artifacts))
              .build();
          JobManager jobs = JobManager.builder()
              .store(new InMemoryJobStore())
              .generators(openai.all())
              .moderator(openai.moderator())
              .build();
          JobWorker worker = JobWorker.builder(jobs).build().start()) {
        jobs.subscribe("alice", events);
        Job job = jobs.create(JobRequest.of("alice", OpenAiJobTypes.IMAGE,
            new ImageGenerationPayload("a lighthouse at dusk", "watercolor", "wide", null)));
        // ... the image lands in the artifact directory; the result names it
        // EXAMPLE-END wiring
        events.await(e -> e.jobId().equals(job.id()) && e.status().isFinal(), Duration.ofSeconds(15), "final event");
        Job done = jobs.get("alice", job.id());
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.resultTree().path("images").get(0).path("stored").path("location").asText())
            .startsWith(dir.toUri().toString());
      }
      assertThat(server.take().path()).isEqualTo("/v1/moderations");
      assertThat(server.take().json().path("response_format").asText()).isEqualTo("b64_json");
    }
  }
}
