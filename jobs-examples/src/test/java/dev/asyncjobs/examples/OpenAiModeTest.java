package dev.asyncjobs.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.examples.plugin.HaikuGenerator;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.generators.openai.OpenAiGenerators;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code OPENAI_API_KEY} switches the app to the OpenAI generators and moderation; here they talk
 * to a local server that answers like OpenAI, so no key or network is needed.
 */
class OpenAiModeTest {
  /** What every chat completion answers. */
  private static final String CHAT_REPLY = "A durable queue keeps slow work safe until a worker is free.";

  private final AtomicBoolean moderationDown = new AtomicBoolean();

  /**
   * The two calls a text job makes: chat completions, and moderation, which flags any text that
   * contains "forbidden" as violence (or answers 500 while {@link #moderationDown} is set).
   */
  private FakeOpenAi startOpenAi() {
    return FakeOpenAi.start()
        .onEvery("/v1/chat/completions", r -> FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", CHAT_REPLY)))
        .onEvery("/v1/moderations", r -> {
          if (moderationDown.get()) {
            return FakeOpenAi.Reply.error(500, "server_error", null, "boom");
          }
          JsonNode input = r.json().get("input");
          List<Set<String>> fired = new ArrayList<>();
          for (JsonNode text : input.isArray() ? input : List.of(input)) {
            fired.add(text.asText().contains("forbidden") ? Set.of("violence") : Set.of());
          }
          return FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(fired));
        });
  }

  @Test
  void aKeySwitchesGeneratorsAndModerationToOpenAi() throws Exception {
    try (FakeOpenAi openAi = startOpenAi()) {
      AppSettings settings = AppSettings.from(Map.of(
              "OPENAI_API_KEY", "sk-test",
              "OPENAI_BASE_URL", openAi.baseUrl(),
              "JOBS_HOST", "127.0.0.1",
              "JOBS_JWT_SECRET", "x".repeat(32),
              "JOBS_QUOTA_MIN_INTERVAL_SECONDS", "0"), List.of())
          .withPort(0);
      try (JobTrackerApp app = JobTrackerApp.start(settings)) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        JobTrackerMain.printStartup(settings, app, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("OPENAI_API_KEY");
        assertThat(app.jobs().types()).containsAll(OpenAiGenerators.TYPES).contains(HaikuGenerator.TYPE);

        ApiClient api = new ApiClient("http://127.0.0.1:" + app.port());
        String token = app.auth().issue("openai-user", Duration.ofMinutes(10));

        Response created = api.post("/api/generate", token,
            "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"explain durable queues\",\"length\":\"short\"}}");
        assertThat(created.status()).as(created.text()).isEqualTo(202);
        String path = created.header("Location");
        Waits.until("the text job to complete", Duration.ofSeconds(20),
            () -> api.get(path, token).body().get("status").asText().equals("COMPLETED"));
        Response job = api.get(path, token);
        assertThat(job.body().get("result").get("text").asText()).isEqualTo(CHAT_REPLY);
        assertThat(job.body().get("result").get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(job.body().get("result").has("demo")).isFalse();
        assertThat(openAi.requests("/v1/chat/completions")).hasSize(1);

        Response refused = api.post("/api/generate", token,
            "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"something forbidden\"}}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("categories").get(0).asText()).isEqualTo("violence");

        moderationDown.set(true);
        Response outage = api.post("/api/generate", token,
            "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"anything\"}}");
        assertThat(outage.status()).as(outage.text()).isEqualTo(503);
        assertThat(outage.body().get("code").asText()).isEqualTo("moderation_unavailable");
        assertThat(outage.header("Retry-After")).isNotNull();
        assertThat(api.get("/api/jobs", token).body().get("items")).as("refusals store nothing").hasSize(1);
      }
    }
  }
}
