package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.SseStream;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.examples.testing.Waits;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code GET /api/jobs/events}: what a client of the stream sees, over a real connection. */
class EventStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TEXT_JOB = "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"stream me\"}}";

  @Test
  void aJobsLifeArrivesInOrderWithRisingIdsAndProgress() {
    try (TestServer server = TestServer.builder().withWorker().step(Duration.ofMillis(20)).start();
        SseStream stream = open(server, "life")) {
      ApiClient api = server.client();
      SseStream.Event ready = stream.next(WAIT);
      assertThat(ready.event()).isEqualTo("ready");
      assertThat(ready.id()).isEqualTo("1");
      assertThat(ready.json().get("resumed").asBoolean()).isFalse();
      assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

      String id = api.post("/api/generate", server.token("life"), TEXT_JOB).body().get("id").asText();
      List<SseStream.Event> events = stream.until(e -> e.json().get("kind").asText().equals("COMPLETED"), WAIT);

      assertThat(events).allSatisfy(e -> {
        assertThat(e.event()).isEqualTo("job");
        assertThat(e.json().get("jobId").asText()).isEqualTo(id);
      });
      List<String> kinds = events.stream().map(e -> e.json().get("kind").asText()).toList();
      assertThat(kinds.get(0)).isEqualTo("CREATED");
      assertThat(kinds).contains("STARTED", "PROGRESS").endsWith("COMPLETED");
      List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
      assertThat(ids).isSorted().doesNotHaveDuplicates().allSatisfy(n -> assertThat(n).isGreaterThan(1));
      List<Integer> progress = events.stream().map(e -> e.json().get("progress").asInt()).toList();
      assertThat(progress).isSorted();
      assertThat(progress).anySatisfy(p -> assertThat(p).isStrictlyBetween(0, 100));
      JsonNode last = events.get(events.size() - 1).json();
      assertThat(last.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(last.get("progress").asInt()).isEqualTo(100);
    }
  }

  @Test
  void cancellingARunningJobAnswers202AndTheStreamSaysCancelled() {
    // Long steps: the job is surely still running when the cancel arrives.
    try (TestServer server = TestServer.builder().withWorker().step(Duration.ofSeconds(2)).start();
        SseStream stream = open(server, "canceller")) {
      ApiClient api = server.client();
      String token = server.token("canceller");
      stream.await(e -> e.event().equals("ready"), WAIT);
      String id = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
      stream.await(e -> e.json().get("kind").asText().equals("STARTED"), WAIT);

      Response r = api.delete("/api/jobs/" + id, token);

      assertThat(r.status()).isEqualTo(202);
      assertThat(r.body().get("status").asText()).isEqualTo("PROCESSING");
      assertThat(r.body().get("cancelRequested").asBoolean()).isTrue();
      List<SseStream.Event> after = stream.until(e -> e.json().get("kind").asText().equals("CANCELLED"), WAIT);
      assertThat(after).extracting(e -> e.json().get("kind").asText()).contains("CANCEL_REQUESTED");
      assertThat(api.get("/api/jobs/" + id, token).body().get("status").asText()).isEqualTo("CANCELLED");
    }
  }

  @Test
  void theTokenMayComeInTheQueryBecauseEventSourceCannotSendHeaders() {
    try (TestServer server = TestServer.builder().start()) {
      ApiClient api = server.client();
      String token = server.token("query-token");
      try (SseStream stream = SseStream.open(api,
          api.request("/api/jobs/events?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), null))) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");
        api.post("/api/generate", token, TEXT_JOB);
        assertThat(stream.next(WAIT).json().get("kind").asText()).isEqualTo("CREATED");
      }
      Response expired = api.send(api.request("/api/jobs/events?access_token=expired.token.here", null)
          .header("Accept", "text/event-stream").GET());
      assertThat(expired.status()).isEqualTo(401);
    }
  }

  @Test
  void anIdleStreamSendsKeepAlivesAndIsClosedWhenTheClientLeaves() {
    try (TestServer server = TestServer.builder().server(b -> b.heartbeat(Duration.ofMillis(50))).start()) {
      SseStream stream = open(server, "idle");
      stream.next(WAIT);
      Waits.until("two keep-alive comments", WAIT, () -> stream.comments() >= 2);
      assertThat(server.server().openEventStreams()).isEqualTo(1);

      stream.close();

      // The next keep-alive fails to write; the stream then unsubscribes and ends.
      Waits.until("the server to notice the client left", WAIT, () -> server.server().openEventStreams() == 0);
    }
  }

  @Test
  void aStreamThatFallsBehindIsEndedWithADroppedEvent() throws Exception {
    // One event thread and room for two events per subscriber: a listener that blocks the only
    // event thread makes the stream's subscription overflow for certain, and the library drops it.
    try (TestServer server = TestServer.builder()
        .manager(m -> m.eventThreads(1).subscriberQueueCapacity(2))
        .start()) {
      CountDownLatch release = new CountDownLatch(1);
      try (Subscription blocker = server.jobs().subscribeAll(e -> await(release));
          SseStream stream = open(server, "slow")) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");
        List<JobRequest> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          burst.add(JobRequest.builder("slow", "text_generation").payload("{\"prompt\":\"burst " + i + "\"}").build());
        }
        server.jobs().createAll(burst);
        release.countDown();

        SseStream.Event dropped = stream.await(e -> e.event().equals("dropped"), WAIT);
        assertThat(dropped.json().get("reason").asText()).contains("behind").contains("re-list");
        stream.ended().get(10, TimeUnit.SECONDS);
        Waits.until("the dropped stream to close", WAIT, () -> server.server().openEventStreams() == 0);
      }
    }
  }

  @Test
  void stoppingTheServerEndsStreamsWithAClosingEvent() throws Exception {
    TestServer server = TestServer.builder().start();
    try (SseStream stream = open(server, "closing")) {
      stream.next(WAIT);

      server.close();

      assertThat(stream.await(e -> e.event().equals("closing"), WAIT).json().get("reason").asText())
          .contains("shutting down");
      stream.ended().get(10, TimeUnit.SECONDS);
    }
  }

  private static SseStream open(TestServer server, String owner) {
    ApiClient api = server.client();
    return SseStream.open(api, api.request("/api/jobs/events", server.token(owner)));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
