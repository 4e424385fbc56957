package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.RawHttp;
import dev.asyncjobs.examples.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A body that drips, a body that stops and a declared length over the limit: the server gives up
 * on each within a bounded time instead of holding a thread for as long as the client likes.
 */
class SlowAndOversizedBodyTest {
  /** Far longer than the server's deadlines below, far shorter than what the old code took. */
  private static final Duration DEADLINE = Duration.ofSeconds(8);

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.builder()
        .server(b -> b.heartbeat(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(400))
            .minBodyRate(100, Duration.ofMillis(300)))
        .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private String head(String owner, long contentLength) {
    return "POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + server.token(owner)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
  }

  @Test
  void aBodyThatDripsOneByteAtATimeIsCutOffWith408() throws Exception {
    ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
    long started = System.nanoTime();
    try (RawHttp raw = RawHttp.connect(server.server().port(), DEADLINE)) {
      raw.write(head("dripper", 10_000));
      // One byte every 50 ms: each resets the idle timeout, so only the rate check can end it
      // (the whole body would take over 8 minutes).
      drip.scheduleAtFixedRate(() -> {
        try {
          raw.write(" ");
        } catch (IOException closed) {
          throw new IllegalStateException("the server closed the connection", closed);
        }
      }, 0, 50, TimeUnit.MILLISECONDS);

      RawHttp.Answer answer = raw.read();

      assertThat(answer.status()).as(answer.body()).isEqualTo(408);
      assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
      assertThat(answer.header("Connection")).isEqualTo("close");
      assertThat(ApiClient.json(answer.body()).get("code").asText()).isEqualTo("request_timeout");
    } finally {
      drip.shutdownNow();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DEADLINE);
    assertThat(server.jobs().list(dev.asyncjobs.JobQuery.forOwner("dripper").build()).items()).isEmpty();
  }

  @Test
  void aBodyThatStopsIsCutOffByTheIdleTimeout() throws Exception {
    long started = System.nanoTime();
    try (RawHttp raw = RawHttp.connect(server.server().port(), DEADLINE)) {
      raw.write(head("stopper", 200) + "{\"type\":");

      RawHttp.Answer answer = raw.read();

      assertThat(answer.status()).as(answer.body()).isEqualTo(408);
      assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DEADLINE);
  }

  @Test
  void aDeclaredLengthOverTheLimitIs413BeforeAnyOfTheBodyIsSent() throws Exception {
    try (RawHttp raw = RawHttp.connect(server.server().port(), DEADLINE)) {
      // No body follows: an answer can only come from the headers alone.
      raw.write(head("declared-too-much", 50_000_000));

      RawHttp.Answer answer = raw.read();

      assertThat(answer.status()).as(answer.body()).isEqualTo(413);
      assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
      assertThat(ApiClient.json(answer.body()).get("limitBytes").asLong()).isEqualTo(1024 * 1024 + 64 * 1024);
    }
  }

  @Test
  void theOversizedLengthIsRefusedEvenWithoutAToken() throws Exception {
    try (RawHttp raw = RawHttp.connect(server.server().port(), DEADLINE)) {
      raw.write("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n");

      assertThat(raw.read().status()).isEqualTo(413);
    }
  }
}
