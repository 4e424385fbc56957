package dev.asyncjobs.reliability.support;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A Server-Sent Events client on {@code java.net.http}: reads {@code GET /api/jobs/events} on a
 * thread of its own, keeps every event (name and data) and every comment, and lets a test wait for
 * one with a deadline.
 */
public final class SseClient implements AutoCloseable {
  /** One event as the stream carried it. */
  public record Event(String name, String data, @Nullable String id) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final Stream<String> lines;
  private final int status;
  private boolean ended;

  private SseClient(HttpResponse<Stream<String>> response, String name) {
    this.status = response.statusCode();
    this.lines = response.body();
    Thread reader = new Thread(this::read, "sse-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens the caller's event stream with {@code token} in the Authorization header. */
  public static SseClient open(HttpApi api, String token, String name) {
    HttpRequest request = api.request(token, "/api/jobs/events").header("Accept", "text/event-stream")
        .timeout(Duration.ofHours(1)).GET().build();
    try {
      return new SseClient(api.client().send(request, HttpResponse.BodyHandlers.ofLines()), name);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void read() {
    String event = "message";
    String id = null;
    StringBuilder data = new StringBuilder();
    try {
      for (java.util.Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data.length() > 0) {
            add(new Event(event, data.toString(), id));
          }
          event = "message";
          id = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comment(line.substring(1).strip());
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(line.substring(5).strip());
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        }
      }
    } catch (RuntimeException e) {
      // the connection went away (closed by us or by the server)
    } finally {
      lock.lock();
      try {
        ended = true;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void add(Event e) {
    lock.lock();
    try {
      events.add(e);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void comment(String c) {
    lock.lock();
    try {
      comments.add(c);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The HTTP status of the stream's response. */
  public int status() {
    return status;
  }

  /** Every event so far. */
  public List<Event> events() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the server ended the stream. */
  public boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until an event matching {@code wanted} arrived.
   *
   * @throws AssertionError when none did within {@code timeout} or the stream ended first
   */
  public Event await(Predicate<Event> wanted, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      int seen = 0;
      while (true) {
        for (; seen < events.size(); seen++) {
          if (wanted.test(events.get(seen))) {
            return events.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (ended || left <= 0) {
          throw new AssertionError("no " + what + (ended ? " before the stream ended" : " within " + timeout)
              + "; " + events.size() + " events, the last: " + events.subList(Math.max(0, events.size() - 3), events.size()));
        }
        arrived.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the server ends the stream. */
  public void awaitEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!ended) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the stream did not end within " + timeout);
        }
        arrived.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      lock.unlock();
    }
  }

  /** Closes the connection. */
  @Override
  public void close() {
    lines.close();
  }
}
