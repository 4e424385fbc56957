package dev.asyncjobs.internal;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.JobStore;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a bounded queue between the store's event delivery and each application listener, so that
 * one slow listener never holds up the store's thread or the other listeners, and never grows
 * memory: each subscriber's queue is drained on a shared daemon pool, in order; a subscriber whose
 * queue is full is dropped and told so (it can resume after the last sequence it saw).
 *
 * <p>Each application subscription is its own subscription of the store, so that the store scopes
 * it (by owner, under row-level security where it applies) and resumes it from its own position.
 */
public final class EventFanout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFanout.class);

  private final JobStore store;
  private final int queueCapacity;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool;
  private volatile boolean closed;

  public EventFanout(JobStore store, int queueCapacity, int threads) {
    this.store = store;
    this.queueCapacity = queueCapacity;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "asyncjobs-events-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Subscribes a listener to the events {@code selection} names.
   *
   * @throws EventsPrunedException the position asked for is no longer in the log
   */
  public Subscription subscribe(EventSubscription selection, JobEventListener listener) {
    if (closed) {
      throw new IllegalStateException("the job manager is closed: no new subscriptions");
    }
    Subscriber s = new Subscriber(listener);
    subscribers.add(s);
    try {
      s.attach(store.subscribe(selection, s));
    } catch (RuntimeException e) {
      subscribers.remove(s);
      throw e;
    }
    return s;
  }

  /** How many subscribers are live (for tests and metrics). */
  public int subscriberCount() {
    return subscribers.size();
  }

  @Override
  public void close() {
    closed = true;
    for (Subscriber s : subscribers) {
      s.close();
    }
    pool.shutdownNow();
  }

  /** One application listener: the store's listener for it, its queue, and its drain task. */
  private final class Subscriber implements Subscription, JobEventListener, Runnable {
    private final JobEventListener listener;
    /** Events, then possibly one final {@link Runnable} (the drop or prune notice). */
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile @Nullable Subscription upstream;
    private volatile boolean closed;
    private volatile boolean ended;

    Subscriber(JobEventListener listener) {
      this.listener = listener;
    }

    void attach(Subscription storeSubscription) {
      upstream = storeSubscription;
      if (closed || ended) {
        storeSubscription.close();
      }
    }

    @Override
    public void onEvent(JobEvent event) {
      if (closed || ended) {
        return;
      }
      if (size.incrementAndGet() > queueCapacity) {
        String reason = "event listener fell " + queueCapacity + " events behind and was dropped";
        LOG.warn(reason);
        dropNow(reason);
        return;
      }
      queue.add(event);
      schedule();
    }

    @Override
    public void onDropped(String reason) {
      end(() -> listener.onDropped(reason));
    }

    /**
     * Drops a listener that fell behind: what it has not taken yet is thrown away, and it hears why
     * at once, on another thread (its own may be stuck in the listener).
     */
    private void dropNow(String reason) {
      if (ended) {
        return;
      }
      ended = true;
      closed = true;
      closeUpstream();
      subscribers.remove(this);
      queue.clear();
      try {
        pool.execute(() -> safely(() -> listener.onDropped(reason)));
      } catch (RuntimeException rejected) {
        // the manager is closing
      }
    }

    @Override
    public void onPruned(EventsPrunedException pruned) {
      end(() -> listener.onPruned(pruned));
    }

    /** Stops taking events; the listener hears {@code notice} after the events already queued. */
    private void end(Runnable notice) {
      if (ended) {
        return;
      }
      ended = true;
      closeUpstream();
      subscribers.remove(this);
      queue.add(notice);
      schedule();
    }

    private void schedule() {
      if (draining.compareAndSet(false, true)) {
        try {
          pool.execute(this);
        } catch (RuntimeException rejected) {
          draining.set(false);
        }
      }
    }

    @Override
    public void run() {
      try {
        Object item;
        while (!closed && (item = queue.poll()) != null) {
          if (item instanceof JobEvent event) {
            size.decrementAndGet();
            safely(() -> listener.onEvent(event));
          } else {
            safely((Runnable) item);
          }
        }
      } finally {
        draining.set(false);
      }
      if (!closed && !queue.isEmpty()) {
        schedule();
      }
    }

    private void safely(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException ex) {
        LOG.warn("job event listener threw; the event is skipped", ex);
      }
    }

    @Override
    public long startedAfter() {
      Subscription s = upstream;
      return s == null ? 0 : s.startedAfter();
    }

    private void closeUpstream() {
      Subscription s = upstream;
      if (s != null) {
        s.close();
      }
    }

    @Override
    public void close() {
      closed = true;
      closeUpstream();
      subscribers.remove(this);
      queue.clear();
    }
  }
}
