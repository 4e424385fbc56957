package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every route's success path over a real socket, on a server without a worker (jobs stay PENDING). */
class ApiRoutesTest {
  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.builder().start();
    api = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String create(String token, String type, String prompt) {
    Response r = api.post("/api/generate", token,
        "{\"type\":\"" + type + "\",\"payload\":{\"prompt\":\"" + prompt + "\"}}");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    return r.body().get("id").asText();
  }

  @Test
  void createAnswers202WithLocationIdStatusAndEstimate() {
    String token = server.token("routes-create");
    Response r = api.post("/api/generate", token,
        "{\"type\":\"image_generation\",\"payload\":{\"prompt\":\"a lighthouse\",\"size\":\"wide\"},\"priority\":8,"
            + "\"idempotencyKey\":\"k-1\"}");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.contentType()).startsWith("application/json");
    String id = r.body().get("id").asText();
    assertThat(r.header("Location")).isEqualTo("/api/jobs/" + id);
    assertThat(r.body().get("status").asText()).isEqualTo("PENDING");
    assertThat(r.body().get("type").asText()).isEqualTo("image_generation");
    assertThat(r.body().get("priority").asInt()).isEqualTo(8);
    // 8 demo stages of 50 ms each.
    assertThat(r.body().get("estimatedDurationMs").asLong()).isEqualTo(400);

    // The same idempotency key returns the same job instead of a second one.
    Response again = api.post("/api/generate", token,
        "{\"type\":\"image_generation\",\"payload\":{\"prompt\":\"a lighthouse\",\"size\":\"wide\"},\"priority\":8,"
            + "\"idempotencyKey\":\"k-1\"}");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.body().get("id").asText()).isEqualTo(id);
    assertThat(api.get("/api/jobs", token).body().get("items")).hasSize(1);
  }

  @Test
  void getReturnsTheWholeJob() {
    String token = server.token("routes-get");
    String id = create(token, "text_generation", "hello");

    Response r = api.get("/api/jobs/" + id, token);

    assertThat(r.status()).isEqualTo(200);
    JsonNode job = r.body();
    assertThat(job.get("id").asText()).isEqualTo(id);
    assertThat(job.get("type").asText()).isEqualTo("text_generation");
    assertThat(job.get("status").asText()).isEqualTo("PENDING");
    assertThat(job.get("progress").asInt()).isZero();
    assertThat(job.get("payload").get("prompt").asText()).isEqualTo("hello");
    assertThat(job.get("result").isNull()).isTrue();
    assertThat(job.get("priority").asInt()).isEqualTo(5);
    assertThat(job.get("maxAttempts").asInt()).isEqualTo(3);
    assertThat(job.get("deferrals").asInt()).isZero();
    assertThat(job.get("usage").isObject() && job.get("usage").isEmpty()).as("nothing consumed yet").isTrue();
    assertThat(job.get("attemptUsage").isEmpty()).isTrue();
    assertThat(job.get("createdAt").asText()).endsWith("Z");
    assertThat(job.has("workerId")).as("worker internals stay out of the API").isFalse();
    assertThat(job.get("links").get("self").asText()).isEqualTo("/api/jobs/" + id);
  }

  @Test
  void listFiltersByStatusAndTypeAndPagesWithTheCursor() {
    String token = server.token("routes-list");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(create(token, i % 2 == 0 ? "text_generation" : "music_generation", "p" + i));
    }
    assertThat(api.delete("/api/jobs/" + ids.get(0), token).status()).isEqualTo(200);

    JsonNode all = api.get("/api/jobs", token).body();
    assertThat(all.get("items")).hasSize(5);
    assertThat(all.get("items").get(0).get("id").asText()).as("newest first").isEqualTo(ids.get(4));
    assertThat(all.get("nextCursor").isNull()).isTrue();

    JsonNode music = api.get("/api/jobs?type=music_generation", token).body();
    assertThat(music.get("items")).hasSize(2).allSatisfy(j -> assertThat(j.get("type").asText()).isEqualTo("music_generation"));

    JsonNode cancelled = api.get("/api/jobs?status=cancelled", token).body();
    assertThat(cancelled.get("items")).hasSize(1);
    assertThat(cancelled.get("items").get(0).get("id").asText()).isEqualTo(ids.get(0));

    JsonNode both = api.get("/api/jobs?status=PENDING,CANCELLED&type=text_generation", token).body();
    assertThat(both.get("items")).hasSize(3);

    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = api.get("/api/jobs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token).body();
      page.get("items").forEach(j -> assertThat(seen.add(j.get("id").asText())).as("no repeats").isTrue());
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
      pages++;
    } while (cursor != null);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void deleteCancelsAPendingJob() {
    String token = server.token("routes-cancel");
    String id = create(token, "video_generation", "boat");

    Response r = api.delete("/api/jobs/" + id, token);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(api.get("/api/jobs/" + id, token).body().get("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void quotaShowsLimitsAndUse() {
    String token = server.token("routes-quota");
    create(token, "graphic_generation", "logo");

    Response r = api.get("/api/quota", token);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("usedLastHour").asInt()).isEqualTo(1);
    assertThat(r.body().get("usedLastDay").asInt()).isEqualTo(1);
    assertThat(r.body().get("limits").get("maxPerHour").isNull()).as("unlimited in this server").isTrue();
    assertThat(r.body().get("lastCreatedAt").asText()).endsWith("Z");
  }

  @Test
  void statsCountsPerTypeForTheCallerOrEveryone() {
    String token = server.token("routes-stats");
    create(token, "model3d_generation", "chair");
    create(token, "model3d_generation", "table");
    create(server.token("routes-stats-other"), "model3d_generation", "lamp");

    JsonNode mine = api.get("/api/stats", token).body();
    assertThat(mine.get("scope").asText()).isEqualTo("owner");
    assertThat(mine.get("types")).hasSize(1);
    JsonNode t = mine.get("types").get(0);
    assertThat(t.get("type").asText()).isEqualTo("model3d_generation");
    assertThat(t.get("pending").asLong()).isEqualTo(2);
    assertThat(t.get("total").asLong()).isEqualTo(2);
    assertThat(t.get("successRate").isNull()).as("nothing finished yet").isTrue();
    assertThat(t.has("p95DurationMs")).isTrue();

    JsonNode all = api.get("/api/stats?scope=all", server.operatorToken("routes-ops")).body();
    assertThat(all.get("scope").asText()).isEqualTo("all");
    JsonNode model3d = null;
    for (JsonNode n : all.get("types")) {
      if (n.get("type").asText().equals("model3d_generation")) {
        model3d = n;
      }
    }
    assertThat(model3d).isNotNull();
    assertThat(model3d.get("total").asLong()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void healthzAndThePageNeedNoToken() {
    Response health = api.get("/healthz", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().get("status").asText()).isEqualTo("ok");

    Response page = api.get("/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    assertThat(page.text()).contains("JobTracker").contains("/app.js");
    assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");

    Response js = api.get("/app.js", null);
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.text()).contains("EventSource");
    assertThat(api.get("/app.css", null).status()).isEqualTo(200);
  }
}
