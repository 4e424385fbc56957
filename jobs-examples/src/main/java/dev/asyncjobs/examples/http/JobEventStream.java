package dev.asyncjobs.examples.http;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.Subscription;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/jobs/events}: the caller's job events as Server-Sent Events.
 *
 * <p>Each stream subscribes with {@link JobManager#subscribe(String, dev.asyncjobs.JobEventListener)}
 * and writes from its own thread, out of a bounded queue, so that a slow client never holds up the
 * library's event threads. A stream that falls too far behind is ended with a {@code dropped}
 * event; the client reconnects and re-reads the list.
 *
 * <p>Last-Event-ID resume is not supported: events are not kept anywhere a reconnecting client
 * could be served from (with PostgreSQL they come from LISTEN/NOTIFY, live only). Instead every
 * stream begins with a {@code ready} event, and a client re-lists its jobs on each {@code ready},
 * which covers whatever happened while it was away. Event ids count up within one stream.
 */
final class JobEventStream implements AutoCloseable {
  private final JobManager jobs;
  private final Duration heartbeat;
  private final int queueCapacity;
  private final Set<EventSession> sessions = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  /** Requests of streams not yet completed by Jetty; guarded by {@link #lock}. */
  private int inFlight;
  private volatile boolean closed;

  /**
   * Streams over {@code jobs}.
   *
   * @param heartbeat how often an idle stream sends a comment, which also finds departed clients
   * @param queueCapacity events a stream may have unsent before it is dropped
   */
  JobEventStream(JobManager jobs, Duration heartbeat, int queueCapacity) {
    this.jobs = jobs;
    this.heartbeat = heartbeat;
    this.queueCapacity = queueCapacity;
  }

  /** Handles one request; returns at once, the stream runs on Javalin's async executor. */
  void handle(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new HttpResponseException(406, "this route streams Server-Sent Events: send 'Accept: text/event-stream'", Map.of());
    }
    String owner = Authentication.owner(ctx);
    new SseHandler(client -> stream(owner, client)).handle(ctx);
  }

  private void stream(String owner, SseClient client) {
    EventSession session = new EventSession(client, queueCapacity);
    sessions.add(session);
    trackCompletion(client);
    // Subscribe before anything is sent, so that no event between `ready` and the client's
    // re-listing is lost.
    try (Subscription subscription = jobs.subscribe(owner, session)) {
      if (closed) {
        session.shutdown();
      }
      session.run(heartbeat);
    } finally {
      sessions.remove(session);
      client.close();
    }
  }

  /**
   * Counts the request until Jetty has completed it: only then may the server stop without
   * pulling the response from under Javalin's last steps.
   */
  private void trackCompletion(SseClient client) {
    synchronized (lock) {
      inFlight++;
    }
    client.ctx().req().getAsyncContext().addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        synchronized (lock) {
          inFlight--;
          lock.notifyAll();
        }
      }

      @Override
      public void onTimeout(AsyncEvent event) {}

      @Override
      public void onError(AsyncEvent event) {}

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
  }

  /** How many streams are subscribed now (for tests and metrics). */
  int openStreams() {
    return sessions.size();
  }

  /**
   * Ends every stream with a {@code closing} event, and waits up to {@code grace} until their
   * requests are complete; new streams end at once.
   */
  void close(Duration grace) {
    closed = true;
    sessions.forEach(EventSession::shutdown);
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (lock) {
      while (inFlight > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        try {
          lock.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
