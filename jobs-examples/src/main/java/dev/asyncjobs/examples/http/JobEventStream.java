package dev.asyncjobs.examples.http;

import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.InvalidRequestException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/jobs/events}: the caller's job events as Server-Sent Events, resumable.
 *
 * <p>Each {@code job} event's SSE {@code id} is its sequence in the store's event log. A client
 * that reconnects with {@code Last-Event-ID} (browsers do it by themselves) or {@code ?after=}
 * (for clients that cannot set headers; the header wins when both are sent) gets exactly the events
 * it missed, in order, then the live ones: the stream starts with {@code ready} ({@code
 * "resumed": true}). Without a position the stream starts from now with {@code ready} ({@code
 * "resumed": false}): re-list the jobs. A position the log no longer holds (older than the event
 * retention) or that this server never issued is answered with {@code resync}: re-list, the stream
 * goes on live from there. {@code ready} and {@code resync} carry the position as their id, so a
 * reconnect before any event still resumes. A malformed position is a 400.
 *
 * <p>A stream ends with {@code expired} when the credential that opened it expires (the bearer
 * token's {@code exp}, or that of the token that minted its ticket), and with {@code closing}
 * when the server stops. Open streams are capped per owner and in total ({@link StreamLimits}):
 * past a cap the answer is a 429 {@code too_many_streams}.
 *
 * <p>Each stream writes from its own thread (see {@link EventSession}), taken from a pool no
 * larger than the total cap; a slow client catches up from the log at its own pace and never holds
 * up the library's event threads or grows memory.
 */
final class JobEventStream implements AutoCloseable {
  private final JobManager jobs;
  private final JobAdmin admin;
  private final Duration heartbeat;
  private final int queueCapacity;
  private final StreamLimits limits;
  private final Set<EventSession> sessions = ConcurrentHashMap.newKeySet();
  private final LongAdder catchUps = new LongAdder();
  private final Object lock = new Object();
  /** Requests of streams not yet completed by Jetty; guarded by {@link #lock}. */
  private int inFlight;
  private volatile boolean closed;

  /**
   * Streams over {@code jobs}.
   *
   * @param heartbeat how often an idle stream sends a comment, which also finds departed clients
   * @param queueCapacity events a stream may have unsent before it is dropped
   * @param limits the caps on open streams
   */
  JobEventStream(JobManager jobs, Duration heartbeat, int queueCapacity, StreamLimits limits) {
    this.jobs = jobs;
    this.admin = JobAdmin.of(jobs);
    this.heartbeat = heartbeat;
    this.queueCapacity = queueCapacity;
    this.limits = limits;
  }

  /**
   * Handles one request; returns at once, the stream runs on Javalin's async executor (a pool
   * bounded by the total cap, see {@link ApiServer}).
   *
   * @throws TooManyStreamsException when the caller's or the server's cap on open streams is reached
   */
  void handle(Context ctx) {
    handle(ctx, false);
  }

  /**
   * Handles one operator's request for every owner's events ({@code /api/admin/events}, behind the
   * operator check), under the same caps as any stream.
   *
   * @throws TooManyStreamsException when the caller's or the server's cap on open streams is reached
   */
  void handleAllOwners(Context ctx) {
    handle(ctx, true);
  }

  private void handle(Context ctx, boolean allOwners) {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new HttpResponseException(406, "this route streams Server-Sent Events: send 'Accept: text/event-stream'", Map.of());
    }
    String owner = Authentication.owner(ctx);
    Instant endsAt = Authentication.expiresAt(ctx);
    Long after = position(ctx);
    // Taken before the response starts, so that a refusal is still a plain 429 problem.
    StreamLimits.Permit permit = limits.acquire(owner);
    try {
      new SseHandler(client -> {
        try (permit) {
          stream(allOwners ? EventSession.Feed.allOwners(admin) : EventSession.Feed.owner(jobs, owner), after, endsAt, client);
        }
      }).handle(ctx);
    } catch (RuntimeException e) {
      permit.close();
      throw e;
    }
  }

  /** The position a client resumes after: {@code Last-Event-ID}, else {@code ?after=}, else none. */
  private static @Nullable Long position(Context ctx) {
    String header = ctx.header("Last-Event-ID");
    String text = header != null && !header.isBlank() ? header.trim() : ctx.queryParam("after");
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      long after = Long.parseLong(text);
      if (after >= 0) {
        return after;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new InvalidRequestException("after",
        "the event position (Last-Event-ID or ?after=) must be a non-negative whole number, was '"
            + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
  }

  private void stream(EventSession.Feed feed, @Nullable Long after, Instant endsAt, SseClient client) {
    EventSession session = new EventSession(client, feed, jobs.clock(), queueCapacity, catchUps::increment, endsAt);
    sessions.add(session);
    trackCompletion(client);
    try {
      if (closed) {
        session.shutdown();
      }
      session.run(after, heartbeat);
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

  /** How many times a stream fell behind its queue and caught up from the log. */
  long catchUps() {
    return catchUps.sum();
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
