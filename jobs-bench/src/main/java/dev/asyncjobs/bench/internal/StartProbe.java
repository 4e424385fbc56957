package dev.asyncjobs.bench.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where the no-op job bodies of pg-peers, whichever library runs them, say that they started, by
 * the job's sequence number: the first start of a drain (the drain is timed from it), and the start
 * of each job of a pickup measurement. One measurement at a time: {@link #expect} begins the next.
 */
final class StartProbe {
  private static final long UNSET = Long.MIN_VALUE;

  /** One measurement's starts; replaced whole, so that a body never mixes two measurements. */
  private static final class Starts {
    final AtomicLongArray at;
    final AtomicLong first = new AtomicLong(UNSET);
    final AtomicInteger count = new AtomicInteger();
    /** How many starts a waiter waits for; bodies notify only once it is reached. */
    volatile int awaited = Integer.MAX_VALUE;

    Starts(int timed) {
      at = new AtomicLongArray(timed);
    }
  }

  private volatile Starts starts = new Starts(0);

  /**
   * Begins a measurement whose jobs {@code 0 … timed - 1} are timed one by one (0 for a drain, which
   * needs only the first start).
   */
  void expect(int timed) {
    starts = new Starts(timed);
  }

  /** Called by a job body as it starts. */
  void started(int seq) {
    long now = System.nanoTime();
    Starts s = starts;
    s.first.compareAndSet(UNSET, now);
    if (seq >= 0 && seq < s.at.length()) {
      s.at.set(seq, now);
    }
    if (s.count.incrementAndGet() >= s.awaited) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** When the first job of this measurement started ({@link System#nanoTime()}). */
  long firstStart() {
    long t = starts.first.get();
    if (t == UNSET) {
      throw new IllegalStateException("no job started");
    }
    return t;
  }

  /** When job {@code seq} started ({@link System#nanoTime()}); only after {@link #await} saw it. */
  long startedAt(int seq) {
    return starts.at.get(seq);
  }

  /** How many job bodies started in this measurement (a job run twice counts twice). */
  int count() {
    return starts.count.get();
  }

  /** Waits until {@code n} jobs of this measurement started; throws after {@code limit}. */
  void await(int n, Duration limit, String what) throws InterruptedException {
    Starts s = starts;
    s.awaited = n;
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (this) {
      while (s.count.get() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(what + ": " + s.count.get() + " of " + n + " jobs started after " + limit.toSeconds() + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }
}
