package dev.asyncjobs.testing.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against a local server that writes a scripted stream, held open until the test lets it end. */
class SseClientTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final CountDownLatch end = new CountDownLatch(1);
  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  SseClientTest() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/events", this::stream);
    server.createContext("/refused", exchange -> {
      try (exchange) {
        byte[] body = "{\"error\":\"no token\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(401, body.length);
        exchange.getResponseBody().write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    end.countDown();
    server.stop(0);
  }

  private void stream(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write(("event: ready\nid: 1\ndata: {\"resumed\":false}\n\n"
          + ": keep-alive\n\n"
          + "id: 2\nevent: job\ndata: {\"kind\":\"CREATED\",\ndata: \"n\":2}\n\n"
          + "data: plain\n\n"
          + "event: job\nid: 4\ndata: {\"kind\":\"COMPLETED\"}\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      end.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SseClient open(String path) {
    return SseClient.open(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path)));
  }

  @Test
  void eventsAreParsedAndTakenInOrder() {
    try (SseClient events = open("/events")) {
      SseClient.Event ready = events.next(WAIT);
      assertThat(ready.event()).isEqualTo("ready");
      assertThat(ready.id()).isEqualTo("1");
      assertThat(ready.json().get("resumed").asBoolean()).isFalse();

      SseClient.Event created = events.next(WAIT);
      assertThat(created.id()).isEqualTo("2");
      assertThat(created.data()).isEqualTo("{\"kind\":\"CREATED\",\n\"n\":2}");
      assertThat(created.json().get("n").asInt()).isEqualTo(2);

      assertThat(events.until(e -> e.data().contains("COMPLETED"), WAIT)).extracting(SseClient.Event::event)
          .containsExactly("message", "job");
      assertThat(events.drain()).isEmpty();
      assertThat(events.comments()).containsExactly("keep-alive");
      assertThat(events.response().statusCode()).isEqualTo(200);
      // every event since the stream opened, taken or not
      assertThat(events.awaitReceived(e -> "1".equals(e.id()), WAIT, "the ready event").event()).isEqualTo("ready");
      assertThat(events.events()).extracting(SseClient.Event::id).containsExactly("1", "2", null, "4");
    }
  }

  @Test
  void aWaitEndsWhenTheStreamEnds() throws Exception {
    try (SseClient events = open("/events")) {
      events.await(e -> e.event().equals("job") && "4".equals(e.id()), WAIT);
      end.countDown();
      events.ended().get(10, TimeUnit.SECONDS);

      assertThatThrownBy(() -> events.next(WAIT)).isInstanceOf(AssertionError.class)
          .hasMessageContaining("before the stream ended");
      assertThatThrownBy(() -> events.awaitReceived(e -> e.event().equals("expired"), WAIT, "an expired event"))
          .isInstanceOf(AssertionError.class).hasMessageContaining("no an expired event before the stream ended");
    }
  }

  @Test
  void aWaitFailsAfterItsTimeoutNamingWhatItSkipped() {
    try (SseClient events = open("/events")) {
      assertThatThrownBy(() -> events.await(e -> e.event().equals("expired"), Duration.ofMillis(300)))
          .isInstanceOf(AssertionError.class).hasMessageContaining("within PT0.3S").hasMessageContaining("COMPLETED");
    }
  }

  @Test
  void aRefusedStreamFailsWithTheStatusAndBody() {
    assertThatThrownBy(() -> open("/refused")).isInstanceOf(AssertionError.class)
        .hasMessage("event stream answered 401: {\"error\":\"no token\"}");
  }
}
