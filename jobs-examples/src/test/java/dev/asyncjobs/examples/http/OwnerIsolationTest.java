package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.sse.SseClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** User B can neither see, cancel nor hear about user A's jobs. */
class OwnerIsolationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.builder().withWorker().step(Duration.ofMillis(20)).start();
    api = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anotherOwnersJobIs404AndStaysUntouched() {
    String alice = server.token("iso-alice");
    String bob = server.token("iso-bob");
    String id = api.post("/api/generate", alice,
        "{\"type\":\"video_generation\",\"payload\":{\"prompt\":\"secret plans\"}}").body().get("id").asText();

    Response read = api.get("/api/jobs/" + id, bob);
    Response cancel = api.delete("/api/jobs/" + id, bob);
    Response unknown = api.get("/api/jobs/0191e5b0-0000-7000-8000-000000000000", bob);

    assertThat(read.status()).isEqualTo(404);
    assertThat(cancel.status()).isEqualTo(404);
    // Indistinguishable from an id that does not exist: same status, same code, same title.
    assertThat(read.body().get("code")).isEqualTo(unknown.body().get("code"));
    assertThat(read.body().get("title")).isEqualTo(unknown.body().get("title"));
    assertThat(read.text()).doesNotContain("secret plans");
    assertThat(api.get("/api/jobs", bob).body().get("items")).isEmpty();
    assertThat(api.get("/api/jobs/" + id, alice).body().get("status").asText()).isNotEqualTo("CANCELLED");
    assertThat(api.get("/api/quota", bob).body().get("usedLastHour").asInt()).isZero();
  }

  @Test
  void aliceEventsNeverReachBobsStream() {
    String alice = server.token("iso-stream-alice");
    String bob = server.token("iso-stream-bob");
    try (SseClient aliceStream = SseClient.open(api.http(), api.request("/api/jobs/events", alice));
        SseClient bobStream = SseClient.open(api.http(), api.request("/api/jobs/events", bob))) {
      assertThat(aliceStream.next(WAIT).event()).isEqualTo("ready");
      assertThat(bobStream.next(WAIT).event()).isEqualTo("ready");

      String aliceJob = api.post("/api/generate", alice,
          "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"alice only\"}}").body().get("id").asText();
      List<SseClient.Event> alices = aliceStream.until(e -> e.data().contains(aliceJob) && e.json().get("kind").asText().equals("COMPLETED"), WAIT);

      assertThat(alices).extracting(e -> e.json().get("jobId").asText()).containsOnly(aliceJob);

      // Bob's stream works (it hears his own job) and carried nothing of Alice's before it.
      String bobJob = api.post("/api/generate", bob,
          "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"bob only\"}}").body().get("id").asText();
      List<SseClient.Event> bobs =
          bobStream.until(e -> e.data().contains(bobJob) && e.json().get("kind").asText().equals("COMPLETED"), WAIT);
      bobs.addAll(bobStream.drain());
      assertThat(bobs).extracting(e -> e.json().get("jobId").asText()).containsOnly(bobJob);
      assertThat(bobs).extracting(e -> e.json().get("kind").asText()).contains("CREATED", "STARTED", "PROGRESS", "COMPLETED");
      assertThat(aliceStream.drain()).noneMatch(e -> e.data().contains(bobJob));
    }
  }
}
