package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.sse.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Event streams are capped per user and in total, run on a bounded set of threads, and end when
 * the credential that opened them expires: over real connections.
 */
class EventStreamLimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aUserPastTheirCapGets429UntilOneOfTheirStreamsCloses() {
    try (TestServer server = TestServer.builder()
        .server(b -> b.maxStreamsPerUser(2).heartbeat(Duration.ofMillis(50))).start()) {
      SseClient first = open(server, "greedy");
      SseClient second = open(server, "greedy");
      first.next(WAIT);
      second.next(WAIT);

      Response refused = tryOpen(server, "greedy");

      assertThat(refused.status()).as(refused.text()).isEqualTo(429);
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.body().get("code").asText()).isEqualTo("too_many_streams");
      assertThat(refused.body().get("limit").asText()).isEqualTo("owner");
      assertThat(refused.body().get("limitValue").asInt()).isEqualTo(2);
      assertThat(refused.body().get("detail").asText()).contains("2 event streams open");
      assertThat(refused.header("Retry-After")).isEqualTo("5");
      try (SseClient other = open(server, "someone-else")) {
        assertThat(other.next(WAIT).event()).as("another user is not held up").isEqualTo("ready");
      }

      first.close();
      // The next keep-alive fails to write; the stream ends and gives its place back.
      Waits.until("the first stream to end", WAIT, () -> server.server().openEventStreams() == 1);
      try (SseClient next = open(server, "greedy")) {
        assertThat(next.next(WAIT).event()).isEqualTo("ready");
      }
      second.close();
    }
  }

  @Test
  void theServerPastItsCapGets429AndItsStreamsUseNoMoreThreadsThanTheCap() {
    try (TestServer server = TestServer.builder().server(b -> b.maxStreams(3).maxStreamsPerUser(3)).start()) {
      List<SseClient> open = new ArrayList<>();
      try {
        for (String owner : List.of("a", "b", "c")) {
          SseClient s = open(server, owner);
          s.next(WAIT);
          open.add(s);
        }

        Response refused = tryOpen(server, "d");

        assertThat(refused.status()).as(refused.text()).isEqualTo(429);
        assertThat(refused.body().get("code").asText()).isEqualTo("too_many_streams");
        assertThat(refused.body().get("limit").asText()).isEqualTo("server");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith(ApiServer.STREAM_THREAD_PREFIX) && t.isAlive()).count();
        assertThat(threads).as("threads writing event streams").isBetween(1L, 3L);
      } finally {
        open.forEach(SseClient::close);
      }
    }
  }

  @Test
  void aStreamEndsWithExpiredWhenItsTokenExpires() throws Exception {
    try (TestServer server = TestServer.builder().server(b -> b.maxStreamsPerUser(1)).start()) {
      Instant now = Instant.now();
      String shortLived = server.auth().issue("brief", now, now.plusSeconds(2));
      ApiClient api = server.client();
      try (SseClient stream = SseClient.open(api.http(), api.request(ApiServer.EVENTS_PATH, shortLived))) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");

        SseClient.Event expired = stream.await(e -> e.event().equals("expired"), WAIT);

        assertThat(expired.json().get("reason").asText()).contains("expired at");
        assertThat(Instant.now()).as("not before the token's exp").isAfterOrEqualTo(now.plusSeconds(1));
        stream.ended().get(10, TimeUnit.SECONDS);
      }
      // Its place is free again for the same user.
      Waits.until("the expired stream to give its place back", WAIT, () -> server.server().openEventStreams() == 0);
      try (SseClient next = open(server, "brief")) {
        assertThat(next.next(WAIT).event()).isEqualTo("ready");
      }
    }
  }

  @Test
  void aStreamOpenedWithATicketEndsWhenTheTokenThatMintedItExpires() throws Exception {
    try (TestServer server = TestServer.builder().start()) {
      Instant now = Instant.now();
      String shortLived = server.auth().issue("brief-ticket", now, now.plusSeconds(2));
      ApiClient api = server.client();
      Response minted = api.post(ApiServer.TICKETS_PATH, shortLived, "");
      assertThat(minted.status()).as(minted.text()).isEqualTo(200);
      assertThat(Instant.parse(minted.body().get("expiresAt").asText()))
          .as("a ticket never outlives its token").isBeforeOrEqualTo(now.plusSeconds(2));
      String ticket = minted.body().get("ticket").asText();
      try (SseClient stream = SseClient.open(api.http(), api.request(ApiServer.EVENTS_PATH + "?ticket=" + ticket, null))) {
        assertThat(stream.next(WAIT).event()).isEqualTo("ready");
        assertThat(stream.await(e -> e.event().equals("expired"), WAIT).event()).isEqualTo("expired");
        stream.ended().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theCapsAreCheckedWhenTheServerIsBuilt() {
    try (TestServer server = TestServer.builder().start()) {
      ApiServer.Builder b = ApiServer.builder(server.jobs(), server.auth());
      assertThatThrownBy(() -> b.maxStreamsPerUser(0)).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("maxStreamsPerUser must be at least 1, was 0");
      assertThatThrownBy(() -> b.maxStreams(0)).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("maxStreams must be 1-100000");
      assertThatThrownBy(() -> b.streamTicketTtl(Duration.ZERO)).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("streamTicketTtl must be 1 s to 10 min");
      assertThatThrownBy(() -> b.streamTicketTtl(Duration.ofHours(1))).isInstanceOf(JobConfigurationException.class);
      assertThatThrownBy(() -> b.maxStreams(2).maxStreamsPerUser(3).port(0).start())
          .isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("maxStreamsPerUser (3) must not exceed maxStreams (2)");
    }
  }

  private static SseClient open(TestServer server, String owner) {
    ApiClient api = server.client();
    return SseClient.open(api.http(), api.request(ApiServer.EVENTS_PATH, server.token(owner)));
  }

  private static Response tryOpen(TestServer server, String owner) {
    ApiClient api = server.client();
    return api.send(api.request(ApiServer.EVENTS_PATH, server.token(owner)).header("Accept", "text/event-stream").GET());
  }
}
