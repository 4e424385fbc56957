package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ModerationResult;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link OpenAiContentModerator}: flagged, not flagged, and outages failing closed or open. */
class ModerationTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private OpenAiGenerators openai = build(false);

  private OpenAiGenerators build(boolean failOpen) {
    return OpenAiGenerators.builder()
        .apiKey("sk-test")
        .baseUrl(server.baseUrl())
        .moderationTimeout(Duration.ofMillis(500))
        .moderationFailOpen(failOpen)
        .build();
  }

  @AfterEach
  void stop() {
    openai.close();
    server.close();
  }

  @Test
  void allowsTextNobodyFlagged() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(2, Set.of())));

    ModerationResult verdict = openai.moderator().moderate("alice", "text_generation", List.of("a poem about spring", "kids"));

    assertThat(verdict).isEqualTo(ModerationResult.allowed());
    JsonNode body = server.take().json();
    assertThat(body.path("model").asText()).isEqualTo("omni-moderation-latest");
    assertThat(body.path("input")).hasSize(2);
    assertThat(body.path("input").get(0).asText()).isEqualTo("a poem about spring");
  }

  @Test
  void refusesFlaggedTextWithTheCategoriesThatFired() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(200,
        OpenAiReplies.moderation(1, Set.of("harassment", "violence/graphic"))));

    ModerationResult verdict = openai.moderator().moderate("alice", "image_generation", List.of("something nasty"));

    assertThat(verdict.flagged()).isTrue();
    assertThat(verdict.categories()).containsExactlyInAnyOrder("harassment", "violence/graphic");
    assertThat(verdict.reason()).isEqualTo("OpenAI moderation flagged the text for harassment, violence/graphic");
  }

  @Test
  void anOutageFailsClosedByDefault() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(503, OpenAiReplies.error("server_error", null, "overloaded")));

    assertThatThrownBy(() -> openai.moderator().moderate("alice", "text_generation", List.of("hello")))
        .isInstanceOfSatisfying(ModerationUnavailableException.class, e -> assertThat(e.code()).isEqualTo("moderation_unavailable"))
        .hasMessage("content moderation is unavailable, so the job was not created (OpenAI moderation: HTTP 503); try again later");
  }

  @Test
  void aModerationTimeoutIsAnOutageToo() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(1, Set.of())).held());

    assertThatThrownBy(() -> openai.moderator().moderate("alice", "text_generation", List.of("hello")))
        .isInstanceOf(ModerationUnavailableException.class)
        .hasMessageContaining("(OpenAI moderation: no answer within 500 ms (openai.moderationTimeout))");
  }

  @Test
  void aReplyThatDoesNotAnswerEveryTextIsAnOutage() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(1, Set.of())));

    assertThatThrownBy(() -> openai.moderator().moderate("alice", "text_generation", List.of("a", "b")))
        .isInstanceOf(ModerationUnavailableException.class)
        .hasMessageContaining("the reply has 1 results for 2 texts");
  }

  @Test
  void failingOpenLetsTheTextThrough() {
    openai.close();
    openai = build(true);
    server.on("/v1/moderations", FakeOpenAi.Reply.json(500, OpenAiReplies.error("server_error", null, "boom")));

    assertThat(openai.moderator().moderate("alice", "text_generation", List.of("hello"))).isEqualTo(ModerationResult.allowed());
    assertThat(openai.moderator().failsOpen()).isTrue();
  }

  @Test
  void throughTheManagerAFlaggedPromptStoresNothingAndOnlyTheUserTextIsChecked() {
    InMemoryJobStore store = new InMemoryJobStore();
    try (JobManager jobs = JobManager.builder().store(store).generators(openai.all()).moderator(openai.moderator())
        .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(2, Set.of("hate"))));

      assertThatThrownBy(() -> jobs.create(JobRequest.builder("alice", "text_generation")
              .payload("{\"prompt\":\"something hateful\",\"kind\":\"email\",\"tone\":\"formal\",\"audience\":\"my team\"}")
              .build()))
          .isInstanceOfSatisfying(ContentRejectedException.class, e -> assertThat(e.categories()).containsExactly("hate"));

      // kind and tone are choices, not user text: only prompt and audience were sent.
      assertThat(server.take().json().path("input")).extracting(JsonNode::asText).containsExactly("something hateful", "my team");
      assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).isEmpty();
    }
  }

  @Test
  void throughTheManagerAnOutageRefusesTheCreateUnlessFailingOpen() {
    InMemoryJobStore store = new InMemoryJobStore();
    try (JobManager closed = JobManager.builder().store(store).generators(openai.all()).moderator(openai.moderator())
        .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      server.on("/v1/moderations", FakeOpenAi.Reply.json(502, "Bad Gateway"));
      JobRequest request = JobRequest.builder("alice", "image_generation").payload("{\"prompt\":\"a kite\"}").build();

      assertThatThrownBy(() -> closed.create(request)).isInstanceOf(ModerationUnavailableException.class);
      assertThat(closed.list(JobQuery.forOwner("alice").build()).items()).isEmpty();

      try (OpenAiGenerators open = build(true);
          JobManager lenient = JobManager.builder().store(store).generators(open.all()).moderator(open.moderator())
              .quotaPolicy(QuotaPolicy.unlimited()).build()) {
        server.on("/v1/moderations", FakeOpenAi.Reply.json(502, "Bad Gateway"));
        Job job = lenient.create(request);
        assertThat(job.status()).isEqualTo(JobStatus.PENDING);
      }
    }
  }
}
