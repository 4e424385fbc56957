package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.sse.SseClient;
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
        SseClient stream = open(server, "life")) {
      ApiClient api = server.client();
      SseClient.Event ready = stream.next(WAIT);
      assertThat(ready.event()).isEqualTo("ready");
      long start = Long.parseLong(ready.id());
      assertThat(ready.json().get("resumed").asBoolean()).isFalse();
      assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

      String id = api.post("/api/generate", server.token("life"), TEXT_JOB).body().get("id").asText();
      List<SseClient.Event> events = stream.until(e -> e.json().get("kind").asText().equals("COMPLETED"), WAIT)
          .stream().filter(e -> e.event().equals("job")).toList(); // the text's deltas: see streamedTextArrives…

      assertThat(events).allSatisfy(e -> {
        assertThat(e.event()).isEqualTo("job");
        assertThat(e.json().get("jobId").asText()).isEqualTo(id);
      });
      List<String> kinds = events.stream().map(e -> e.json().get("kind").asText()).toList();
      assertThat(kinds.get(0)).isEqualTo("CREATED");
      assertThat(kinds).contains("STARTED", "PROGRESS").endsWith("COMPLETED");
      List<Long> ids = events.stream().map(e -> Long.parseLong(e.id())).toList();
      assertThat(ids).as("ids are the log's sequence numbers").isSorted().doesNotHaveDuplicates()
          .allSatisfy(n -> assertThat(n).isGreaterThan(start));
      List<Integer> progress = events.stream().map(e -> e.json().get("progress").asInt()).toList();
      assertThat(progress).isSorted();
      assertThat(progress).anySatisfy(p -> assertThat(p).isStrictlyBetween(0, 100));
      JsonNode last = events.get(events.size() - 1).json();
      assertThat(last.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(last.get("progress").asInt()).isEqualTo(100);
    }
  }

  @Test
  void streamedTextArrivesAsDeltasBeforeTheCompletionAndAResumeMidStreamMissesNothingAndRepeatsNothing() {
    try (TestServer server = TestServer.builder().withWorker().step(Duration.ofMillis(60)).start()) {
      ApiClient api = server.client();
      String token = server.token("streamer");
      StringBuilder text = new StringBuilder();
      String lastSeen;
      String id;
      try (SseClient stream = open(server, "streamer")) {
        stream.await(e -> e.event().equals("ready"), WAIT);
        id = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
        SseClient.Event first = stream.await(e -> e.event().equals("delta"), WAIT);
        assertThat(first.json().get("jobId").asText()).isEqualTo(id);
        assertThat(first.json().get("attempt").asInt()).isEqualTo(1);
        text.append(first.json().get("text").asText());
        lastSeen = first.id();
      } // the connection drops mid-stream
      try (SseClient resumed = SseClient.open(api.http(), api.request("/api/jobs/events", token).header("Last-Event-ID", lastSeen))) {
        List<SseClient.Event> rest = resumed.until(e -> "COMPLETED".equals(e.json().path("kind").asText()), WAIT);
        for (SseClient.Event e : rest) {
          if (e.event().equals("delta")) {
            text.append(e.json().get("text").asText());
          }
        }
      }
      JsonNode done = api.get("/api/jobs/" + id, token).body();
      assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(text.toString()).as("every delta once, in order: the result's text").isEqualTo(done.get("result").get("text").asText());

      JsonNode output = api.get("/api/jobs/" + id + "/output", token).body();
      assertThat(output.get("text").asText()).isEqualTo(text.toString());
      assertThat(output.get("attempt").asInt()).isEqualTo(1);
      assertThat(output.get("status").asText()).isEqualTo("COMPLETED");
      assertThat(output.get("truncated").asBoolean()).isFalse();
      assertThat(api.get("/api/jobs/" + id + "/output", server.token("someone-else")).status()).isEqualTo(404);
    }
  }

  @Test
  void aStoryboardFillsInScenePartByPart() {
    try (TestServer server = TestServer.builder().withWorker().step(Duration.ofMillis(10)).start();
        SseClient stream = open(server, "director")) {
      ApiClient api = server.client();
      stream.await(e -> e.event().equals("ready"), WAIT);
      String id = api.post("/api/generate", server.token("director"),
          "{\"type\":\"video_generation\",\"payload\":{\"prompt\":\"a lighthouse\",\"durationSeconds\":20}}").body().get("id").asText();
      List<SseClient.Event> events = stream.until(e -> "COMPLETED".equals(e.json().path("kind").asText()), WAIT);
      List<JsonNode> parts = events.stream().filter(e -> e.event().equals("part")).map(e -> e.json().get("part")).toList();
      JsonNode result = server.client().get("/api/jobs/" + id, server.token("director")).body().get("result");
      assertThat(parts).hasSize(result.get("scenes").size());
      for (int i = 0; i < parts.size(); i++) {
        assertThat(parts.get(i)).as("scene %d streamed as the result has it", i + 1).isEqualTo(result.get("scenes").get(i));
      }
    }
  }

  @Test
  void cancellingARunningJobAnswers202AndTheStreamSaysCancelled() {
    // Long steps: the job is surely still running when the cancel arrives.
    try (TestServer server = TestServer.builder().withWorker().step(Duration.ofSeconds(2)).start();
        SseClient stream = open(server, "canceller")) {
      ApiClient api = server.client();
      String token = server.token("canceller");
      stream.await(e -> e.event().equals("ready"), WAIT);
      String id = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
      stream.await(e -> e.json().get("kind").asText().equals("STARTED"), WAIT);

      Response r = api.delete("/api/jobs/" + id, token);

      assertThat(r.status()).isEqualTo(202);
      assertThat(r.body().get("status").asText()).isEqualTo("PROCESSING");
      assertThat(r.body().get("cancelRequested").asBoolean()).isTrue();
      List<SseClient.Event> after = stream.until(e -> e.json().get("kind").asText().equals("CANCELLED"), WAIT);
      assertThat(after).extracting(e -> e.json().get("kind").asText()).contains("CANCEL_REQUESTED");
      assertThat(api.get("/api/jobs/" + id, token).body().get("status").asText()).isEqualTo("CANCELLED");
    }
  }

  @Test
  void aTicketInTheQueryOpensTheStreamBecauseEventSourceCannotSendHeadersAndResumesWithAfter() {
    try (TestServer server = TestServer.builder().start()) {
      ApiClient api = server.client();
      String token = server.token("query-ticket");
      String seen;
      try (SseClient stream = SseClient.open(api.http(), api.request("/api/jobs/events?ticket=" + ticket(api, token), null))) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");
        api.post("/api/generate", token, TEXT_JOB);
        seen = stream.next(WAIT).id();
      }
      String missed = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
      // A page reconnects with a new ticket and the position it saw, as ?after=.
      try (SseClient resumed = SseClient.open(api.http(), api.request("/api/jobs/events?ticket=" + ticket(api, token) + "&after=" + seen, null))) {
        assertThat(resumed.next(WAIT).json().get("resumed").asBoolean()).isTrue();
        assertThat(resumed.next(WAIT).json().get("jobId").asText()).isEqualTo(missed);
      }
      Response expired = api.send(api.request("/api/jobs/events?ticket=expired.ticket.here", null)
          .header("Accept", "text/event-stream").GET());
      assertThat(expired.status()).isEqualTo(401);
    }
  }

  @Test
  void anIdleStreamSendsKeepAlivesAndIsClosedWhenTheClientLeaves() {
    try (TestServer server = TestServer.builder().server(b -> b.heartbeat(Duration.ofMillis(50))).start()) {
      SseClient stream = open(server, "idle");
      stream.next(WAIT);
      Waits.until("two keep-alive comments", WAIT, () -> stream.comments().size() >= 2);
      assertThat(server.server().openEventStreams()).isEqualTo(1);

      stream.close();

      // The next keep-alive fails to write; the stream then unsubscribes and ends.
      Waits.until("the server to notice the client left", WAIT, () -> server.server().openEventStreams() == 0);
    }
  }

  @Test
  void aStreamThatFallsBehindCatchesUpFromTheLogAndMissesNothing() throws Exception {
    // One event thread and room for two events per subscriber: a listener that blocks the only
    // event thread makes the stream's subscription overflow for certain, and the library drops it.
    // The stream then reads what it has not sent from the log, and goes live again.
    try (TestServer server = TestServer.builder()
        .manager(m -> m.eventThreads(1).subscriberQueueCapacity(2))
        .start()) {
      CountDownLatch release = new CountDownLatch(1);
      try (Subscription blocker = server.jobs().subscribeAll(e -> await(release));
          SseClient stream = open(server, "slow")) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");
        List<JobRequest> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          burst.add(JobRequest.builder("slow", "text_generation").payload("{\"prompt\":\"burst " + i + "\"}").build());
        }
        List<String> ids = server.jobs().createAll(burst).stream().map(j -> j.id().toString()).toList();
        release.countDown();

        List<SseClient.Event> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          got.add(stream.next(WAIT));
        }
        assertThat(got).extracting(SseClient.Event::event).containsOnly("job");
        assertThat(got).extracting(e -> e.json().get("jobId").asText()).containsExactlyElementsOf(ids);
        assertThat(got).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();
        // Still live afterwards.
        String later = server.client().post("/api/generate", server.token("slow"), TEXT_JOB).body().get("id").asText();
        assertThat(stream.next(WAIT).json().get("jobId").asText()).isEqualTo(later);
        assertThat(server.server().openEventStreams()).isEqualTo(1);
      }
    }
  }

  @Test
  void aClientThatReconnectsWithLastEventIdGetsExactlyTheThousandEventsItMissedThenTheLiveOnes() {
    try (TestServer server = TestServer.builder().start()) {
      String lastSeen;
      try (SseClient stream = open(server, "resumer")) {
        stream.next(WAIT);
        server.client().post("/api/generate", server.token("resumer"), TEXT_JOB);
        lastSeen = stream.next(WAIT).id();
      }
      // 1,000 events while the client is away, and some of another owner's in between.
      List<JobRequest> missed = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        missed.add(JobRequest.builder("resumer", "text_generation").payload("{\"prompt\":\"away " + i + "\"}").build());
        if (i % 100 == 0) {
          server.jobs().create(JobRequest.builder("someone-else", "text_generation").payload("{\"prompt\":\"x\"}").build());
        }
      }
      List<String> missedIds = new ArrayList<>();
      for (int i = 0; i < missed.size(); i += 250) {
        server.jobs().createAll(missed.subList(i, i + 250)).forEach(j -> missedIds.add(j.id().toString()));
      }

      ApiClient api = server.client();
      try (SseClient resumed = SseClient.open(api.http(), api.request("/api/jobs/events", server.token("resumer")).header("Last-Event-ID", lastSeen))) {
        SseClient.Event ready = resumed.next(WAIT);
        assertThat(ready.event()).isEqualTo("ready");
        assertThat(ready.json().get("resumed").asBoolean()).isTrue();
        assertThat(ready.id()).isEqualTo(lastSeen);
        List<SseClient.Event> got = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          got.add(resumed.next(WAIT));
        }
        assertThat(got).extracting(e -> e.json().get("jobId").asText()).containsExactlyElementsOf(missedIds);
        assertThat(got).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates()
            .allSatisfy(n -> assertThat(n).isGreaterThan(Long.parseLong(lastSeen)));
        String live = api.post("/api/generate", server.token("resumer"), TEXT_JOB).body().get("id").asText();
        SseClient.Event next = resumed.next(WAIT);
        assertThat(next.json().get("jobId").asText()).isEqualTo(live);
        assertThat(resumed.drain()).isEmpty();
      }
    }
  }

  @Test
  void afterInTheQueryResumesTooAndTheHeaderWinsOverIt() {
    try (TestServer server = TestServer.builder().start()) {
      ApiClient api = server.client();
      String token = server.token("query-resume");
      List<String> ids = new ArrayList<>();
      long start;
      try (SseClient stream = open(server, "query-resume")) {
        start = Long.parseLong(stream.next(WAIT).id());
        for (int i = 0; i < 3; i++) {
          api.post("/api/generate", token, TEXT_JOB);
          ids.add(stream.next(WAIT).id());
        }
      }
      try (SseClient byQuery = SseClient.open(api.http(), api.request("/api/jobs/events?after=" + start, token))) {
        assertThat(byQuery.next(WAIT).json().get("resumed").asBoolean()).isTrue();
        assertThat(List.of(byQuery.next(WAIT).id(), byQuery.next(WAIT).id(), byQuery.next(WAIT).id())).isEqualTo(ids);
      }
      try (SseClient both = SseClient.open(api.http(), api.request("/api/jobs/events?after=" + start, token).header("Last-Event-ID", ids.get(1)))) {
        assertThat(both.next(WAIT).id()).isEqualTo(ids.get(1));
        assertThat(both.next(WAIT).id()).as("only what follows the header's position").isEqualTo(ids.get(2));
      }
    }
  }

  @Test
  void aPositionThatWasPrunedOrIsUnknownIsAnsweredWithResyncAndTheStreamGoesOnLive() {
    try (TestServer server = TestServer.builder().start()) {
      ApiClient api = server.client();
      String token = server.token("resync");
      String old;
      try (SseClient stream = open(server, "resync")) {
        stream.next(WAIT);
        api.post("/api/generate", token, TEXT_JOB);
        old = stream.next(WAIT).id();
      }
      api.post("/api/generate", token, TEXT_JOB);
      server.store().pruneEvents(java.time.Instant.now().plus(Duration.ofDays(2)), 1000);
      for (String position : List.of("0", old, "999999999")) {
        try (SseClient stream = SseClient.open(api.http(), api.request("/api/jobs/events", token).header("Last-Event-ID", position))) {
          SseClient.Event resync = stream.next(WAIT);
          assertThat(resync.event()).as("answer to position %s", position).isEqualTo("resync");
          assertThat(resync.json().get("reason").asText()).contains("re-list");
          String live = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
          SseClient.Event next = stream.next(WAIT);
          assertThat(next.json().get("jobId").asText()).isEqualTo(live);
          assertThat(Long.parseLong(next.id())).isGreaterThan(Long.parseLong(resync.id()));
        }
      }
    }
  }

  @Test
  void aMalformedPositionIsA400NamingTheField() {
    try (TestServer server = TestServer.builder().start()) {
      ApiClient api = server.client();
      String token = server.token("bad-position");
      for (String bad : List.of("-1", "abc", "1.5", "99999999999999999999999")) {
        Response r = api.send(api.request("/api/jobs/events", token).header("Last-Event-ID", bad)
            .header("Accept", "text/event-stream").GET());
        assertThat(r.status()).as("Last-Event-ID %s", bad).isEqualTo(400);
        assertThat(r.body().get("field").asText()).isEqualTo("after");
        Response q = api.send(api.request("/api/jobs/events?after=" + URLEncoder.encode(bad, StandardCharsets.UTF_8), token)
            .header("Accept", "text/event-stream").GET());
        assertThat(q.status()).as("?after=%s", bad).isEqualTo(400);
      }
    }
  }

  @Test
  void stoppingTheServerEndsStreamsWithAClosingEvent() throws Exception {
    TestServer server = TestServer.builder().start();
    try (SseClient stream = open(server, "closing")) {
      stream.next(WAIT);

      server.close();

      assertThat(stream.await(e -> e.event().equals("closing"), WAIT).json().get("reason").asText())
          .contains("shutting down");
      stream.ended().get(10, TimeUnit.SECONDS);
    }
  }

  private static String ticket(ApiClient api, String token) {
    Response r = api.post(ApiServer.TICKETS_PATH, token, "");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.body().get("ticket").asText();
  }

  private static SseClient open(TestServer server, String owner) {
    ApiClient api = server.client();
    return SseClient.open(api.http(), api.request("/api/jobs/events", server.token(owner)));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
