package dev.asyncjobs.examples.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Server-Sent Events reader over a real connection: parses frames as a browser does and hands
 * them out in order, with timeouts, so that tests wait on what arrives instead of sleeping.
 */
public final class SseStream implements AutoCloseable {
  /**
   * One event.
   *
   * @param id the {@code id:} field
   * @param event the {@code event:} field
   * @param data the {@code data:} field
   */
  public record Event(String id, String event, String data) {
    /** The data as JSON. */
    public JsonNode json() {
      return ApiClient.json(data);
    }
  }

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private SseStream(HttpResponse<InputStream> response) {
    this.response = response;
    Thread reader = new Thread(this::read, "test-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code path}; the caller adds the token (header or query). */
  public static SseStream open(ApiClient client, HttpRequest.Builder request) {
    try {
      HttpResponse<InputStream> r = client.http().send(
          request.header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        throw new AssertionError("event stream answered " + r.statusCode() + ": " + body);
      }
      return new SseStream(r);
    } catch (IOException e) {
      throw new AssertionError("event stream failed to open", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The response (status, headers). */
  public HttpResponse<InputStream> response() {
    return response;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = "";
      String event = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, event, data.toString()));
          }
          event = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(line.substring(5).strip());
        }
      }
    } catch (IOException closed) {
      // The test closed the stream, or the server went away: both end it.
    } finally {
      ended.complete(null);
    }
  }

  /** The next event, waiting up to {@code timeout}. */
  public Event next(Duration timeout) {
    try {
      Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError("no event within " + timeout);
      }
      return e;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AssertionError(ex);
    }
  }

  /** Skips events until one matches, returning it; fails after {@code timeout} in total. */
  public Event await(Predicate<Event> match, Duration timeout) {
    List<Event> seen = until(match, timeout);
    return seen.get(seen.size() - 1);
  }

  /**
   * Takes events until one matches; returns all taken, the match last. Fails after {@code timeout}
   * in total.
   */
  public List<Event> until(Predicate<Event> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Event> skipped = new ArrayList<>();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e;
      try {
        e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new AssertionError(ex);
      }
      if (e == null) {
        throw new AssertionError("no matching event within " + timeout + "; skipped " + skipped);
      }
      skipped.add(e);
      if (match.test(e)) {
        return skipped;
      }
    }
  }

  /** Events received and not yet taken, without waiting. */
  public List<Event> drain() {
    List<Event> out = new ArrayList<>();
    events.drainTo(out);
    return out;
  }

  /** Comment lines (keep-alives) seen so far. */
  public int comments() {
    return comments.get();
  }

  /** Completes when the server ends the stream. */
  public CompletableFuture<Void> ended() {
    return ended;
  }

  /** Closes the connection from the client side. */
  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }
}
