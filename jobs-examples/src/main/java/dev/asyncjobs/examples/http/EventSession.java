package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One SSE connection: receives the owner's events on the library's thread (never blocking it) and
 * writes them on the stream's own thread, in order, with ids counting from 1.
 */
final class EventSession implements JobEventListener {
  /** Why a stream ends on the server's side: the SSE event name and the reason sent with it. */
  private record End(String event, String reason) {}

  /** Wakes the writer when the queue is empty and an end was set. */
  private static final Object WAKE = new Object();

  private final SseClient client;
  private final BlockingQueue<Object> queue;
  private volatile @Nullable End end;
  private long nextId = 1;

  EventSession(SseClient client, int capacity) {
    this.client = client;
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  @Override
  public void onEvent(JobEvent event) {
    if (!queue.offer(event)) {
      end(new End("dropped", "this stream fell " + queue.size() + " events behind; reconnect and re-list"));
    }
  }

  @Override
  public void onDropped(String reason) {
    end(new End("dropped", reason + "; reconnect and re-list"));
  }

  /** Ends the stream because the server is stopping. */
  void shutdown() {
    end(new End("closing", "the server is shutting down"));
  }

  private void end(End why) {
    if (end == null) {
      end = why;
    }
    queue.offer(WAKE);
  }

  /** Writes until the client leaves or the stream is ended; runs on the stream's own thread. */
  void run(Duration heartbeat) {
    send("ready", JsonNodeFactory.instance.objectNode()
        .put("resumed", false)
        .put("note", "re-list your jobs now: events before this one are not replayed")
        .toString());
    try {
      while (!client.terminated()) {
        End why = end;
        if (why != null) {
          send(why.event(), JsonNodeFactory.instance.objectNode().put("reason", why.reason()).toString());
          return;
        }
        Object item = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
          client.sendComment("keep-alive");
        } else if (item instanceof JobEvent event) {
          send("job", HttpIo.text(JsonViews.event(event)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(String event, String data) {
    client.sendEvent(event, data, Long.toString(nextId++));
  }
}
