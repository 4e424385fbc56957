package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.Subscription;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One SSE connection of one owner (or of every owner, for an operator: {@link Feed#allOwners}),
 * written on the stream's own thread. Every {@code job} event
 * carries the log's sequence number as its SSE {@code id}, so the browser's automatic reconnect
 * (which sends {@code Last-Event-ID}) resumes exactly where the stream stopped.
 *
 * <p>The stream alternates between two modes. <em>Catching up</em>, it reads the owner's events
 * from the log page by page, as fast as the client takes them (the socket sets the pace, so a slow
 * client costs no memory). <em>Live</em>, it subscribes after the last event it sent and writes
 * what arrives from a bounded queue; should the client fall so far behind that the queue fills,
 * it drops the subscription and catches up from the log again, from the last event it sent.
 * Nothing is lost or sent twice either way, for as long as the log keeps the events; a position
 * the log no longer holds is answered with {@code resync}, after which the stream is live.
 */
final class EventSession implements JobEventListener {
  /** Events read from the log per page while catching up. */
  private static final int PAGE = 200;

  /** How a live stretch ended. */
  private enum Outcome { ENDED, BEHIND, PRUNED, EXPIRED }

  /** Wakes the writer when the queue overflowed, the position was pruned, or the server stops. */
  private static final Object WAKE = new Object();

  private final SseClient client;
  private final Feed feed;
  private final java.time.Clock clock;
  private final BlockingQueue<Object> queue;
  private volatile boolean closing;
  private volatile boolean behind;
  private volatile boolean pruned;
  /** The sequence of the last event sent, or the position the stream stands at; -1 before it has one. */
  private long position = -1;

  private final Runnable onCatchUp;
  /** When the credential that opened the stream expires: the stream ends there. */
  private final Instant endsAt;

  /** Where a stream's events come from: one owner's, or every owner's for an operator. */
  interface Feed {
    /** Subscribes from now on. */
    Subscription subscribe(JobEventListener listener);

    /** Subscribes after a position. */
    Subscription subscribe(long after, JobEventListener listener);

    /** Reads a page of the log after a position. */
    List<JobEvent> read(long after, int limit);

    /** {@return one owner's events} */
    static Feed owner(JobManager jobs, String owner) {
      return new Feed() {
        @Override
        public Subscription subscribe(JobEventListener listener) {
          return jobs.subscribe(owner, listener);
        }

        @Override
        public Subscription subscribe(long after, JobEventListener listener) {
          return jobs.subscribe(owner, after, listener);
        }

        @Override
        public List<JobEvent> read(long after, int limit) {
          return jobs.readEvents(owner, after, limit);
        }
      };
    }

    /** {@return every owner's events, for operators} */
    static Feed allOwners(JobAdmin admin) {
      return new Feed() {
        @Override
        public Subscription subscribe(JobEventListener listener) {
          return admin.subscribe(listener);
        }

        @Override
        public Subscription subscribe(long after, JobEventListener listener) {
          return admin.subscribe(after, listener);
        }

        @Override
        public List<JobEvent> read(long after, int limit) {
          return admin.readEvents(after, limit);
        }
      };
    }
  }

  EventSession(SseClient client, Feed feed, java.time.Clock clock, int capacity, Runnable onCatchUp, Instant endsAt) {
    this.client = client;
    this.clock = clock;
    this.endsAt = endsAt;
    this.onCatchUp = onCatchUp;
    this.feed = feed;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  @Override
  public void onEvent(JobEvent event) {
    if (behind) {
      return;
    }
    if (!queue.offer(event)) {
      behind = true;
      queue.offer(WAKE);
    }
  }

  @Override
  public void onDropped(String reason) {
    behind = true;
    queue.offer(WAKE);
  }

  @Override
  public void onPruned(EventsPrunedException e) {
    pruned = true;
    queue.offer(WAKE);
  }

  /** Ends the stream with a {@code closing} event: the server is stopping. */
  void shutdown() {
    closing = true;
    queue.offer(WAKE);
  }

  /**
   * Writes until the client leaves, the credential expires or the server stops; runs on the
   * stream's own thread.
   *
   * @param after the position the client resumes after ({@code Last-Event-ID} or {@code ?after=}),
   *     or null for a new stream
   */
  void run(@Nullable Long after, Duration heartbeat) {
    @Nullable String resync = after == null ? null : resume(after);
    try {
      while (!client.terminated() && !closing && !expired()) {
        // Reset before subscribing: the subscription may deliver at once.
        queue.clear();
        behind = false;
        pruned = false;
        Subscription subscription;
        try {
          subscription = position < 0 ? feed.subscribe(this) : feed.subscribe(position, this);
        } catch (EventsPrunedException e) {
          resync = unavailable(e);
          continue;
        }
        Outcome outcome;
        try {
          if (position < 0) {
            position = subscription.startedAfter();
            if (resync != null) {
              send("resync", reason(resync + "; re-list your jobs now, the stream goes on from here"), position);
            } else {
              send("ready", JsonNodeFactory.instance.objectNode().put("resumed", false)
                  .put("note", "re-list your jobs now: this stream starts here").toString(), position);
            }
            resync = null;
          }
          outcome = live(heartbeat);
        } finally {
          subscription.close();
        }
        if (outcome == Outcome.ENDED || outcome == Outcome.EXPIRED) {
          break;
        }
        if (outcome == Outcome.PRUNED) {
          resync = unavailable(null);
          continue;
        }
        onCatchUp.run();
        try {
          catchUp();
        } catch (EventsPrunedException e) {
          resync = unavailable(e);
        }
      }
      if (closing && !client.terminated()) {
        send("closing", reason("the server is shutting down"), Math.max(position, 0));
      } else if (expired() && !client.terminated()) {
        // Said, then closed: a client reconnects with a fresh credential, or signs in again.
        send("expired", reason("the credential that opened this stream expired at " + endsAt
            + "; reconnect with a new ticket (or token)"), Math.max(position, 0));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a resumed stream: {@code ready}, then the events missed. Returns the reason for a
   * {@code resync} instead when the position cannot be served.
   */
  private @Nullable String resume(long after) {
    List<JobEvent> first;
    try {
      first = feed.read(after, PAGE);
    } catch (EventsPrunedException e) {
      return unavailable(e);
    } catch (InvalidRequestException e) {
      return "event position " + after + " is not one of this server's";
    }
    position = after;
    send("ready", JsonNodeFactory.instance.objectNode().put("resumed", true).toString(), after);
    first.forEach(this::sendEvent);
    if (first.size() == PAGE) {
      try {
        catchUp();
      } catch (EventsPrunedException e) {
        return unavailable(e);
      }
    }
    return null;
  }

  /** The stream has no position any more; the reason a {@code resync} gives. */
  private String unavailable(@Nullable EventsPrunedException e) {
    long lost = e == null ? position : e.requestedAfter();
    position = -1;
    return "the events after " + lost + " are no longer kept";
  }

  /** Reads and sends the log's events after the position, page by page, until it is caught up. */
  private void catchUp() {
    while (!client.terminated() && !closing && !expired()) {
      List<JobEvent> page = feed.read(position, PAGE);
      page.forEach(this::sendEvent);
      if (page.size() < PAGE) {
        return;
      }
    }
  }

  /** Writes what the subscription delivers, until the stream ends, falls behind or is pruned. */
  private Outcome live(Duration heartbeat) throws InterruptedException {
    while (!client.terminated()) {
      if (closing) {
        return Outcome.ENDED;
      }
      if (pruned) {
        return Outcome.PRUNED;
      }
      if (behind && queue.isEmpty()) {
        // Everything queued before the overflow is sent; the rest comes from the log.
        return Outcome.BEHIND;
      }
      // In nanoseconds, not milliseconds: the same test as expired(), so that a wake-up a fraction
      // of a millisecond before the expiry waits again instead of ending the stream unannounced.
      Duration untilExpiry = Duration.between(clock.instant(), endsAt);
      if (untilExpiry.isZero() || untilExpiry.isNegative()) {
        return Outcome.EXPIRED;
      }
      // Wakes at the expiry at the latest, so that the stream ends on time and not a heartbeat late.
      boolean expiresFirst = untilExpiry.compareTo(heartbeat) < 0;
      Object item = queue.poll(expiresFirst ? untilExpiry.toNanos() : heartbeat.toNanos(), TimeUnit.NANOSECONDS);
      if (item == null) {
        if (!expiresFirst) {
          client.sendComment("keep-alive");
        }
      } else if (item instanceof JobEvent event) {
        sendEvent(event);
      }
    }
    return Outcome.ENDED;
  }

  private boolean expired() {
    return !clock.instant().isBefore(endsAt);
  }

  private static String reason(String text) {
    return JsonNodeFactory.instance.objectNode().put("reason", text).toString();
  }

  private void sendEvent(JobEvent e) {
    if (e.sequence() <= position) {
      return; // sent already
    }
    client.sendEvent(JsonViews.eventName(e), HttpIo.text(JsonViews.eventData(e)), Long.toString(e.sequence()));
    position = e.sequence();
  }

  private void send(String event, String data, long id) {
    client.sendEvent(event, data, Long.toString(id));
  }
}
