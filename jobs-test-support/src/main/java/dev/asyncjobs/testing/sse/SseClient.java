package dev.asyncjobs.testing.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.testing.Deadline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A Server-Sent Events client on {@code java.net.http}: it reads the stream on a thread of its own
 * and parses it as a browser does ({@code event:}, {@code data:} on one or more lines, {@code id:},
 * comments; an event without data is not dispatched), keeping every event and comment. Field values
 * are stripped of surrounding white space. A test reads the events in two ways:
 *
 * <ul>
 *   <li>in order, each once: {@link #next}, {@link #await}, {@link #until} and {@link #drain} take
 *       events from the ones not taken yet;
 *   <li>all at once: {@link #events()} and {@link #awaitReceived} look at every event since the
 *       stream opened, taken or not (for "every stream saw each of these, in any order").
 * </ul>
 *
 * <p>Every wait has a timeout and ends early when the server ends the stream; a failure is an
 * {@link AssertionError} that names what was waited for and the last events seen.
 *
 * <pre>{@code
 * try (SseClient events = SseClient.open(http, HttpRequest.newBuilder(URI.create(base + "/api/jobs/events"))
 *     .header("Authorization", "Bearer " + token))) {
 *   events.await(e -> e.event().equals("ready"), Duration.ofSeconds(10));
 *   ...
 *   List<SseClient.Event> seen = events.until(e -> e.data().contains("COMPLETED"), Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class SseClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger READERS = new AtomicInteger();

  /**
   * One event as the stream carried it.
   *
   * @param id its {@code id:} field, or null when it had none
   * @param event its {@code event:} field, {@code message} when it had none
   * @param data its {@code data:} lines, joined by {@code \n}
   */
  public record Event(@Nullable String id, String event, String data) {
    /**
     * The data as JSON.
     *
     * @return the parsed data
     * @throws UncheckedIOException when it is not JSON
     */
    public JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException("the event's data is not JSON: " + data, e);
      }
    }
  }

  private final HttpResponse<InputStream> response;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  /** Guarded by {@code lock}. */
  private final List<Event> events = new ArrayList<>();
  /** Guarded by {@code lock}. */
  private final List<String> comments = new ArrayList<>();
  /** How many of {@code events} were taken; guarded by {@code lock}. */
  private int taken;
  /** Guarded by {@code lock}. */
  private boolean ended;
  private final CompletableFuture<Void> endedFuture = new CompletableFuture<>();

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    Thread reader = new Thread(this::read, "sse-client-" + READERS.incrementAndGet());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Opens a stream: sends {@code request} as a {@code GET} with {@code Accept: text/event-stream}
   * and starts reading. The caller adds what the server needs (a token in a header or the query,
   * a {@code Last-Event-ID}); give the request a long timeout for a long test, as the client's
   * timeout covers the whole stream.
   *
   * @param http the client to send it with
   * @param request the request, its URI and headers set
   * @return the open stream; close it when done
   * @throws AssertionError when the server answers other than 200 (the message carries the body),
   *     or the connection fails
   */
  public static SseClient open(HttpClient http, HttpRequest.Builder request) {
    try {
      HttpResponse<InputStream> r = http.send(
          request.header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        String body;
        try (InputStream in = r.body()) {
          body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        throw new AssertionError("event stream answered " + r.statusCode() + ": " + body);
      }
      return new SseClient(r);
    } catch (IOException e) {
      throw new AssertionError("event stream failed to open", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The response that opened the stream, for its status and headers (its body is being read by
   * this client).
   *
   * @return the response
   */
  public HttpResponse<InputStream> response() {
    return response;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            add(new Event(id, event, data.toString()), null);
          }
          id = null;
          event = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          add(null, line.substring(1).strip());
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
    } catch (IOException | UncheckedIOException closed) {
      // The test closed the stream, or the server went away: both end it.
    } finally {
      locked(() -> {
        ended = true;
        arrived.signalAll();
        return null;
      });
      endedFuture.complete(null);
    }
  }

  private void add(@Nullable Event event, @Nullable String comment) {
    locked(() -> {
      if (event != null) {
        events.add(event);
      }
      if (comment != null) {
        comments.add(comment);
      }
      arrived.signalAll();
      return null;
    });
  }

  /** Runs {@code action} under the lock. */
  private <T extends @Nullable Object> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next event not taken yet, waiting for it.
   *
   * @param timeout how long to wait
   * @return the event, now taken
   * @throws AssertionError when none came within {@code timeout}, or the stream ended first
   */
  public Event next(Duration timeout) {
    List<Event> one = until(e -> true, timeout, "event");
    return one.get(0);
  }

  /**
   * Takes events until one matches, and returns that one (the ones before it are taken too).
   *
   * @param match the event waited for
   * @param timeout how long to wait in all
   * @return the matching event
   * @throws AssertionError when none matched within {@code timeout}, or the stream ended first
   */
  public Event await(Predicate<? super Event> match, Duration timeout) {
    List<Event> seen = until(match, timeout);
    return seen.get(seen.size() - 1);
  }

  /**
   * Takes events until one matches, and returns all it took, the match last.
   *
   * @param match the event waited for
   * @param timeout how long to wait in all
   * @return the events taken, at least the match
   * @throws AssertionError when none matched within {@code timeout}, or the stream ended first
   */
  public List<Event> until(Predicate<? super Event> match, Duration timeout) {
    return until(match, timeout, "matching event");
  }

  private List<Event> until(Predicate<? super Event> match, Duration timeout, String what) {
    List<Event> took = new ArrayList<>();
    return waitFor(timeout, what, () -> {
      while (taken < events.size()) {
        Event e = events.get(taken++);
        took.add(e);
        if (match.test(e)) {
          return took;
        }
      }
      return null;
    }, () -> "skipped " + took.size() + " events: " + last(took));
  }

  /**
   * Runs {@code look} under the lock, and again after each arrival, until it finds something.
   *
   * @param look returns what was waited for, or null to wait on
   * @param seen what to report on failure
   */
  private <T> T waitFor(Duration timeout, String what, Supplier<@Nullable T> look, Supplier<String> seen) {
    Deadline deadline = Deadline.after(timeout);
    lock.lock();
    try {
      while (true) {
        T found = look.get();
        if (found != null) {
          return found;
        }
        if (ended || deadline.hasPassed()) {
          throw new AssertionError("no " + what + (ended ? " before the stream ended" : " within " + timeout) + "; " + seen.get());
        }
        arrived.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the events that arrived and were not taken yet, without waiting.
   *
   * @return them, oldest first; empty when there are none
   */
  public List<Event> drain() {
    return locked(() -> {
      List<Event> out = List.copyOf(events.subList(taken, events.size()));
      taken = events.size();
      return out;
    });
  }

  /**
   * Every event since the stream opened, taken or not.
   *
   * @return them, oldest first
   */
  public List<Event> events() {
    return locked(() -> List.copyOf(events));
  }

  /**
   * Waits until an event that matches has arrived, looking at every event since the stream opened
   * (taken or not, and taking none).
   *
   * @param match the event waited for
   * @param timeout how long to wait
   * @param what what it is, for the failure message (e.g. "alice's cancelled event")
   * @return the first event that matches
   * @throws AssertionError when none did within {@code timeout}, or the stream ended first
   */
  public Event awaitReceived(Predicate<? super Event> match, Duration timeout, String what) {
    int[] looked = {0};
    return waitFor(timeout, what, () -> {
      for (; looked[0] < events.size(); looked[0]++) {
        if (match.test(events.get(looked[0]))) {
          return events.get(looked[0]);
        }
      }
      return null;
    }, () -> events.size() + " events, the last: " + last(events));
  }

  /**
   * The comment lines (keep-alives) seen so far, without the leading {@code :}.
   *
   * @return them, oldest first
   */
  public List<String> comments() {
    return locked(() -> List.copyOf(comments));
  }

  /**
   * Completes when the stream has ended: the server closed it, or {@link #close()} did.
   *
   * @return a future that completes with null
   */
  public CompletableFuture<Void> ended() {
    return endedFuture;
  }

  /** Closes the connection from the client's side. */
  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }

  private static List<Event> last(List<Event> events) {
    return List.copyOf(events.subList(Math.max(0, events.size() - 3), events.size()));
  }
}
