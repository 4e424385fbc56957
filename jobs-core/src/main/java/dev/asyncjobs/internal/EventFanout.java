package dev.asyncjobs.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStore;
import dev.asyncjobs.Subscription;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the store's events to many listeners without letting one slow listener hold up the others
 * or grow memory: each subscriber has a bounded queue drained on a shared daemon pool, in order; a
 * subscriber whose queue is full is dropped and told so.
 */
public final class EventFanout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFanout.class);

  private final JobStore store;
  private final int queueCapacity;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool;
  private @Nullable Subscription storeSubscription;

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

  /** Subscribes a listener to the events that pass {@code filter}. */
  public synchronized Subscription subscribe(Predicate<JobEvent> filter, JobEventListener listener) {
    if (storeSubscription == null) {
      storeSubscription = store.subscribe(this::publish);
    }
    Subscriber s = new Subscriber(filter, listener);
    subscribers.add(s);
    return s;
  }

  private void publish(JobEvent event) {
    for (Subscriber s : subscribers) {
      if (s.filter.test(event)) {
        s.offer(event);
      }
    }
  }

  /** How many subscribers are live (for tests and metrics). */
  public int subscriberCount() {
    return subscribers.size();
  }

  @Override
  public synchronized void close() {
    if (storeSubscription != null) {
      storeSubscription.close();
      storeSubscription = null;
    }
    subscribers.clear();
    pool.shutdownNow();
  }

  private final class Subscriber implements Subscription, Runnable {
    private final Predicate<JobEvent> filter;
    private final JobEventListener listener;
    private final Queue<JobEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;

    Subscriber(Predicate<JobEvent> filter, JobEventListener listener) {
      this.filter = filter;
      this.listener = listener;
    }

    void offer(JobEvent event) {
      if (closed) {
        return;
      }
      if (size.incrementAndGet() > queueCapacity) {
        close();
        queue.clear();
        String reason = "event listener fell " + queueCapacity + " events behind and was dropped";
        LOG.warn(reason);
        pool.execute(() -> safely(() -> listener.onDropped(reason)));
        return;
      }
      queue.add(event);
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
        JobEvent e;
        while (!closed && (e = queue.poll()) != null) {
          size.decrementAndGet();
          JobEvent event = e;
          safely(() -> listener.onEvent(event));
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
    public void close() {
      closed = true;
      subscribers.remove(this);
    }
  }
}
