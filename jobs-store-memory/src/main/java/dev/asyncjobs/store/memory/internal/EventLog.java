package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.OutputChunk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory store's event log: events in sequence order, numbered 1, 2, 3… without gaps,
 * bounded by a capacity (the oldest go first) and by the retention pruning of {@link #prune}.
 * Appending takes one short lock, so that numbers are handed out in the order the events enter the
 * log; callers append while they hold the job's own lock, so the events of a job are in the order
 * its changes happened.
 *
 * <p>Subscriptions are served by one daemon thread that reads each subscription's next events from
 * the log after its own position, so that a resume is the same code as a live subscription and a
 * listener may call back into the store.
 */
public final class EventLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
  private static final int DELIVERY_BATCH = 1000;

  private final int capacity;
  private final String threadName;
  /** The kept events: {@code events.get(start + i)} has sequence {@code prunedThrough + 1 + i}. */
  private final ArrayList<JobEvent> events = new ArrayList<>();
  private int start;
  private long head;
  private long prunedThrough;
  private final List<Reader> readers = new CopyOnWriteArrayList<>();
  private @Nullable Thread thread;
  private boolean pendingWork;
  private boolean closed;

  /**
   * An empty log.
   *
   * @param capacity the most events kept; the oldest are dropped beyond it
   * @param threadName the name of the delivery thread
   */
  public EventLog(int capacity, String threadName) {
    this.capacity = capacity;
    this.threadName = threadName;
  }

  /** Appends the event of {@code kind} for {@code job} as it is after the change. */
  public void append(JobEvent.Kind kind, Job job) {
    synchronized (this) {
      add(JobEvent.of(++head, kind, job));
      wakeReaders();
    }
  }

  /** Appends one output event per chunk of {@code job}'s running attempt, at {@code now}, in order. */
  public void appendOutput(List<OutputChunk> chunks, Job job, Instant now) {
    synchronized (this) {
      for (OutputChunk c : chunks) {
        add(JobEvent.of(++head, c.kind(), job).toBuilder().data(c.eventData()).at(now).build());
      }
      wakeReaders();
    }
  }

  /** Adds one event, dropping the oldest beyond the capacity; caller holds the lock. */
  private void add(JobEvent event) {
    events.add(event);
    if (events.size() - start > capacity) {
      drop(1);
    }
  }

  /** Tells the delivery thread there is something to deliver; caller holds the lock. */
  private void wakeReaders() {
    if (!readers.isEmpty()) {
      pendingWork = true;
      notifyAll();
    }
  }

  /** Removes the {@code n} oldest kept events; caller holds the lock. */
  private void drop(int n) {
    for (int i = 0; i < n; i++) {
      events.set(start++, null);
    }
    prunedThrough += n;
    if (start > 1024 && start > events.size() / 2) {
      events.subList(0, start).clear();
      start = 0;
    }
  }

  /** The sequence of the newest event (0 for an empty log). */
  public synchronized long head() {
    return head;
  }

  /**
   * Up to {@code limit} events after {@code after}, of {@code ownerId} or of every owner.
   *
   * @throws EventsPrunedException {@code after} is before the oldest kept event
   * @throws InvalidRequestException {@code after} is beyond the newest event
   */
  public synchronized List<JobEvent> read(@Nullable String ownerId, long after, int limit) {
    return read(e -> ownerId == null || ownerId.equals(e.ownerId()), after, limit);
  }

  /**
   * Up to {@code limit} events of one job of {@code ownerId} after {@code after}.
   *
   * @throws EventsPrunedException {@code after} is before the oldest kept event
   * @throws InvalidRequestException {@code after} is beyond the newest event
   */
  public synchronized List<JobEvent> readJob(@Nullable String ownerId, UUID jobId, long after, int limit) {
    return read(e -> e.jobId().equals(jobId) && (ownerId == null || ownerId.equals(e.ownerId())), after, limit);
  }

  private List<JobEvent> read(Predicate<JobEvent> wanted, long after, int limit) {
    checkPosition(after);
    List<JobEvent> out = new ArrayList<>(Math.min(limit, 64));
    for (int i = start + (int) (after - prunedThrough); i < events.size() && out.size() < limit; i++) {
      JobEvent e = events.get(i);
      if (wanted.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  private void checkPosition(long after) {
    if (after < prunedThrough) {
      throw new EventsPrunedException(after, prunedThrough);
    }
    if (after > head) {
      throw new InvalidRequestException("after", "event position " + after + " is beyond the newest event, " + head);
    }
  }

  /**
   * Deletes up to {@code limit} of the oldest events that happened before {@code cutoff}.
   *
   * @return how many were deleted
   */
  public synchronized int prune(Instant cutoff, int limit) {
    int n = 0;
    while (n < limit && start + n < events.size() && events.get(start + n).at().isBefore(cutoff)) {
      n++;
    }
    drop(n);
    return n;
  }

  /**
   * Subscribes {@code listener} to what {@code selection} names.
   *
   * @throws EventsPrunedException the position is before the oldest kept event
   * @throws InvalidRequestException the position is beyond the newest event
   */
  public Subscription subscribe(EventSubscription selection, JobEventListener listener) {
    Reader reader;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the in-memory job store is closed: no new subscriptions");
      }
      Long after = selection.afterSequence();
      if (after != null) {
        checkPosition(after);
      }
      reader = new Reader(selection, after != null ? after : head, listener);
      readers.add(reader);
      if (thread == null) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.start();
        thread = t;
      }
      pendingWork = true;
      notifyAll();
    }
    return reader;
  }

  private void run() {
    while (true) {
      synchronized (this) {
        while (!pendingWork && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        pendingWork = false;
      }
      for (Reader r : readers) {
        r.deliver();
      }
    }
  }

  /** Events waiting for the slowest subscription (for diagnostics). */
  public synchronized long backlog() {
    long oldest = head;
    for (Reader r : readers) {
      oldest = Math.min(oldest, r.position);
    }
    return head - oldest;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      readers.clear();
      t = thread;
      thread = null;
      notifyAll();
    }
    if (t != null) {
      t.interrupt();
    }
  }

  /** One subscription: what it selects, its position, its listener. Used by the delivery thread only. */
  private final class Reader implements Subscription {
    private final EventSubscription selection;
    private final long startedAfter;
    private final JobEventListener listener;
    private volatile long position;
    private volatile boolean closed;

    Reader(EventSubscription selection, long after, JobEventListener listener) {
      this.selection = selection;
      this.startedAfter = after;
      this.position = after;
      this.listener = listener;
    }

    /** Delivers everything after the position, in batches. */
    void deliver() {
      while (!closed) {
        List<JobEvent> batch;
        long upTo;
        synchronized (EventLog.this) {
          try {
            batch = read(selection::covers, position, DELIVERY_BATCH);
          } catch (EventsPrunedException pruned) {
            close();
            safely(() -> listener.onPruned(pruned));
            return;
          }
          // Skip the other owners' events read past too, so that they are not scanned again.
          upTo = batch.size() < DELIVERY_BATCH ? head : batch.get(batch.size() - 1).sequence();
        }
        for (JobEvent e : batch) {
          if (closed) {
            return;
          }
          safely(() -> listener.onEvent(e));
        }
        position = upTo;
        if (batch.size() < DELIVERY_BATCH) {
          return;
        }
      }
    }

    private void safely(Runnable call) {
      try {
        call.run();
      } catch (RuntimeException ex) {
        LOG.warn("job event listener threw; continuing with the next event", ex);
      }
    }

    @Override
    public long startedAfter() {
      return startedAfter;
    }

    @Override
    public void close() {
      closed = true;
      readers.remove(this);
    }
  }
}
