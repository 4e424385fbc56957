package dev.asyncjobs.store.postgres.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells other processes that the event log changed: after this store's own writes commit, a
 * payload-free {@code NOTIFY} on the store's channel, in a transaction of its own, at most one per
 * interval (the first at once, the rest coalesced). It waits for its WAL flush before the listeners
 * hear it (on this thread only), so that what they then read is on disk and can be delivered at once. Never inside the writing transaction: PostgreSQL serialises the commits of
 * notifying transactions, flush included, so a notification there would cap every claim and
 * completion at one commit per fsync. A lost hint costs only latency: readers also poll.
 *
 * <p>A hint says whether the writes it stands for may have made work due for the workers of other
 * processes (a job created or back to PENDING, a job that left a limit's slot, a bound raised):
 * those hints carry no payload and wake their claim loops as well as their readers. Hints of writes
 * that only appended events (claims, progress, output) carry {@link #EVENTS_PAYLOAD} and wake the
 * readers alone; under a binding limit, a claim loop woken by every other process's claim would
 * send a claim that comes back empty, and queue with the claims that can start a job.
 *
 * <p>The one hint that is sent inside a writing transaction is that of an insert in the caller's
 * transaction ({@link CallerTransactionInsert}): there is no other way to hint at its commit, and
 * the cost falls on that transaction's commit only. It carries {@link #COMMIT_PAYLOAD}; this
 * sender's hints carry none.
 */
public final class HintSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HintSender.class);

  /**
   * The payload of the hint that an insert sends inside the caller's transaction: never one of this
   * sender's own, whichever backend it comes from.
   */
  public static final String COMMIT_PAYLOAD = "commit";

  /** The payload of this sender's hints whose writes made no work due: they wake readers only. */
  public static final String EVENTS_PAYLOAD = "events";

  private final Database db;
  private final String channel;
  private final long intervalNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition requested = lock.newCondition();
  private boolean pending;
  /** Whether one of the writes the pending hint stands for may have made work due. */
  private boolean pendingWork;
  private boolean closed;
  private @Nullable Thread thread;
  private int failures;
  /** The backends this sender's hints came from, and when: the listener here ignores those. */
  private final java.util.concurrent.ConcurrentHashMap<Integer, Long> ownBackends = new java.util.concurrent.ConcurrentHashMap<>();
  /** A backend id not used for a hint this long may belong to someone else by now. */
  private static final long OWN_BACKEND_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * A sender, started by the first change.
   *
   * @param db where to send
   * @param channel the store's channel
   * @param interval the least time between two hints
   */
  public HintSender(Database db, String channel, Duration interval) {
    this.db = db;
    this.channel = channel;
    this.intervalNanos = interval.toNanos();
  }

  /**
   * The log changed (a write of this store committed): hint the other processes soon.
   *
   * @param work whether the write may have made work due for other processes' workers
   */
  public void changed(boolean work) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      pending = true;
      pendingWork |= work;
      if (thread == null) {
        Thread t = new Thread(this::run, "asyncjobs-pg-hints-" + channel);
        t.setDaemon(true);
        thread = t;
        t.start();
      } else {
        requested.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long lastSent = System.nanoTime() - intervalNanos;
    while (true) {
      lock.lock();
      try {
        while (!pending && !closed) {
          requested.awaitUninterruptibly();
        }
        if (closed) {
          return;
        }
      } finally {
        lock.unlock();
      }
      long wait = lastSent + intervalNanos - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      boolean work;
      lock.lock();
      try {
        pending = false;
        work = pendingWork;
        pendingWork = false;
      } finally {
        lock.unlock();
      }
      send(work);
      lastSent = System.nanoTime();
    }
  }

  private void send(boolean work) {
    try {
      int pid = db.run(Call.idempotent("hint"), h ->
          h.createQuery("SELECT pg_backend_pid() FROM pg_notify(:channel, :payload)")
              .bind("channel", channel).bind("payload", work ? "" : EVENTS_PAYLOAD).mapTo(Integer.class).one());
      ownBackends.put(pid, System.nanoTime());
      if (failures > 0) {
        LOG.info("sending wake-up hints on {} works again after {} failure(s)", channel, failures);
        failures = 0;
      }
    } catch (RuntimeException e) {
      // Best effort: readers in other processes poll the log as well.
      if (failures++ == 0) {
        LOG.warn("sending a wake-up hint on {} failed ({}); other processes see changes at their next poll", channel,
            e.getMessage());
      }
    }
  }

  /**
   * Whether a notification from backend {@code pid} with {@code payload} is this sender's own hint:
   * this process's reader was woken by the write itself, and need not look again. A hint with
   * another payload than this sender's is not: the one sent at the commit of a caller's transaction
   * may come from a backend this sender used, and announces a write no reader here has seen.
   */
  public boolean sentBy(int pid, String payload) {
    if (!payload.isEmpty() && !EVENTS_PAYLOAD.equals(payload)) {
      return false;
    }
    Long at = ownBackends.get(pid);
    return at != null && System.nanoTime() - at < OWN_BACKEND_NANOS;
  }

  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      t = thread;
      requested.signalAll();
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.interrupt();
    }
  }
}
