package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.Subscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the store's events on one daemon thread, in the order they were published. Publishing
 * happens under the job's lock, so the events of one job reach listeners in the order they
 * happened; delivery off the caller's thread means a listener can call back into the store freely.
 */
public final class EventDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final List<JobEventListener> listeners = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<JobEvent> queue = new LinkedBlockingQueue<>();
  private final String threadName;
  private @Nullable Thread thread;
  private volatile boolean closed;

  public EventDispatcher(String threadName) {
    this.threadName = threadName;
  }

  /** Queues an event; free when nobody listens. */
  public void publish(JobEvent event) {
    if (!listeners.isEmpty() && !closed) {
      queue.add(event);
    }
  }

  public synchronized Subscription subscribe(JobEventListener listener) {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    listeners.add(listener);
    if (thread == null) {
      Thread t = new Thread(this::run, threadName);
      t.setDaemon(true);
      t.start();
      thread = t;
    }
    return () -> listeners.remove(listener);
  }

  private void run() {
    while (!closed) {
      JobEvent event;
      try {
        event = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      for (JobEventListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException ex) {
          LOG.warn("job event listener threw on {} of job {}; continuing", event.kind(), event.jobId(), ex);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    listeners.clear();
    queue.clear();
    if (thread != null) {
      thread.interrupt();
      thread = null;
    }
  }

  /** Events not yet delivered (for diagnostics). */
  public int backlog() {
    return queue.size();
  }
}
