package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The generators inside the real runtime: {@link JobManager} on the in-memory store, a {@link
 * JobWorker} running the attempts, the client pointed at the local OpenAI-shaped server.
 */
class EndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final FakeOpenAi server = FakeOpenAi.start();
  private final OpenAiGenerators openai =
      OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(30)).build();
  private final JobManager jobs =
      JobManager.builder()
          .store(new InMemoryJobStore())
          .generators(openai.all())
          .quotaPolicy(QuotaPolicy.unlimited())
          .build();
  // A negligible backoff, so that any wait between attempts is the server's Retry-After.
  private final JobWorker worker =
      JobWorker.builder(jobs)
          .workerId("e2e")
          .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(1)))
          .progressInterval(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .build();
  private final EventRecorder events = new EventRecorder();

  EndToEndTest() {
    jobs.subscribe("alice", events);
    worker.start();
  }

  @AfterEach
  void stop() {
    worker.close();
    jobs.close();
    openai.close();
    server.close();
  }

  private Job create(String type, String payload) {
    return jobs.create(JobRequest.builder("alice", type).payload(payload).build());
  }

  private JobEvent awaitFinal(Job job) {
    return events.await(e -> e.jobId().equals(job.id()) && e.status().isFinal(), WAIT, "final event of " + job.id());
  }

  @Test
  void aRateLimitWithRetryAfterDefersTheJobForThatWaitWithoutSpendingAnAttempt() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(429,
            OpenAiReplies.error("requests", "rate_limit_exceeded", "Rate limit reached for images per minute"))
        .withHeader("retry-after-ms", "400"));
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/final.png", "revised")));

    Job job = create("image_generation", "{\"prompt\":\"a lighthouse\",\"style\":\"realistic\",\"size\":\"wide\"}");

    assertThat(awaitFinal(job).kind()).isEqualTo(JobEvent.Kind.COMPLETED);
    FakeOpenAi.Request first = server.take();
    FakeOpenAi.Request second = server.take();
    // The worker schedules by the wall clock, the server timestamps by the monotonic one; they may
    // drift apart by a fraction of a millisecond (NTP slewing), hence the small allowance.
    assertThat(Duration.ofNanos(second.receivedNanos() - first.receivedNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(390));
    JobEvent retry = events.eventsOf(job.id()).stream().filter(e -> e.kind() == JobEvent.Kind.RETRY_SCHEDULED).findFirst().orElseThrow();
    assertThat(retry.message()).contains("rate limit reached for image generation (429 rate_limit_exceeded)");
    assertThat(retry.message()).contains("retrying openai:dall-e-3 after 400 ms (retry-after-ms)");
    // runAt is the end of the back-off, computed before the back-off is written; the store stamps
    // the event after both writes.
    assertThat(Duration.between(retry.at(), retry.runAt())).isBetween(Duration.ofMillis(300), Duration.ofMillis(400));

    Job done = jobs.get("alice", job.id());
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.attempts()).as("the 429 was handed back, not counted").isEqualTo(1);
    assertThat(done.deferrals()).isEqualTo(1);
    assertThat(done.resultTree().path("images").get(0).path("url").asText()).isEqualTo("https://x/final.png");
    assertThat(done.resultTree().path("size").asText()).isEqualTo("1792x1024");
    List<String> stages = events.eventsOf(job.id()).stream()
        .filter(e -> e.kind() == JobEvent.Kind.PROGRESS && e.at().isAfter(retry.at())).map(JobEvent::message).toList();
    assertThat(stages).containsSubsequence("validated", "request sent to OpenAI (dall-e-3)", "response received", "post-processed");
  }

  @Test
  void aContentPolicyRefusalEndsFailedAfterOneAttemptWithAClearMessage() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(400, OpenAiReplies.error("invalid_request_error",
        "content_policy_violation", "Your request was rejected as a result of our safety system.")));

    Job job = create("image_generation", "{\"prompt\":\"something refused\"}");

    JobEvent last = awaitFinal(job);
    assertThat(last.kind()).isEqualTo(JobEvent.Kind.FAILED);
    Job failed = jobs.get("alice", job.id());
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.errorMessage()).isEqualTo("OpenAI refused the prompt under its content policy (400 "
        + "content_policy_violation): Your request was rejected as a result of our safety system.. Rephrase the prompt "
        + "and create a new job");
    server.take();
    assertThat(server.pending()).isEmpty();
  }

  @Test
  void aServerErrorIsRetriedThenTheSimulatedResultIsStored() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(500, OpenAiReplies.error("server_error", null, "boom")));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", GeneratorCase.STORYBOARD)));

    Job job = create("video_generation", "{\"prompt\":\"a café at dawn\",\"durationSeconds\":30}");

    assertThat(awaitFinal(job).kind()).isEqualTo(JobEvent.Kind.COMPLETED);
    Job done = jobs.get("alice", job.id());
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.resultTree().path("simulated").asBoolean()).isTrue();
    assertThat(done.resultTree().path("scenes").get(0).path("durationSeconds").asDouble()).isEqualTo(30.0);
  }

  @Test
  void cancellingARunningJobAbortsItsRequestAndEndsCancelled() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "late")).held());
    Job job = create("text_generation", "{\"prompt\":\"a long essay\",\"length\":\"long\"}");
    server.take(); // the request is in flight; the server holds it for 30 s and the client would wait 30 s

    jobs.cancel("alice", job.id());

    assertThat(awaitFinal(job).kind()).isEqualTo(JobEvent.Kind.CANCELLED);
    assertThat(jobs.get("alice", job.id()).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(jobs.get("alice", job.id()).result()).isNull();
  }
}
