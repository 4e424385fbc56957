package dev.asyncjobs.internal;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.OutputAppend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the streamed output of every running attempt of a worker together: once per interval a
 * thread of its own takes what each attempt's {@link OutputBuffer} gathered and writes it all in one
 * {@link JobStore#appendOutputAll} call, so that 50 streaming jobs cost the store ten writes a
 * second, not five hundred. An attempt's first piece, and one that fills a buffer, ask for a round
 * at once. Each buffer has at most one write in flight, which keeps its pieces in order.
 */
final class OutputWriter {
  private static final Logger LOG = LoggerFactory.getLogger(OutputWriter.class);

  private final JobStore store;
  private final long intervalNanos;
  private final Set<OutputBuffer> buffers = ConcurrentHashMap.newKeySet();
  private final Object signal = new Object();
  private boolean soon;
  private boolean closed;
  private @Nullable Thread thread;

  /** A writer to {@code store}, one round per {@code intervalNanos} (positive). */
  OutputWriter(JobStore store, long intervalNanos) {
    this.store = store;
    this.intervalNanos = intervalNanos;
  }

  /** Starts the writing thread. */
  void start(ThreadFactory factory) {
    Thread t = factory.newThread(this::loop);
    thread = t;
    t.start();
  }

  void register(OutputBuffer buffer) {
    buffers.add(buffer);
  }

  void unregister(OutputBuffer buffer) {
    buffers.remove(buffer);
  }

  /** Asks for a round now rather than at the end of the interval. */
  void writeSoon() {
    synchronized (signal) {
      soon = true;
      signal.notifyAll();
    }
  }

  /** Stops the thread after its current round; buffers still open write their rest themselves. */
  void close(long timeoutNanos) throws InterruptedException {
    synchronized (signal) {
      closed = true;
      signal.notifyAll();
    }
    Thread t = thread;
    if (t != null) {
      t.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1);
    }
  }

  private void loop() {
    while (true) {
      synchronized (signal) {
        long deadline = System.nanoTime() + intervalNanos;
        while (!soon && !closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(signal, left);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        soon = false;
      }
      try {
        round();
      } catch (RuntimeException | Error e) {
        LOG.error("output writer round failed; the next round retries", e);
      }
    }
  }

  /** One write of what every buffer gathered. */
  void round() {
    List<OutputBuffer> taken = new ArrayList<>();
    List<OutputAppend> batch = new ArrayList<>();
    for (OutputBuffer b : buffers) {
      OutputAppend a = b.takeForBatch();
      if (a != null) {
        taken.add(b);
        batch.add(a);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    Set<UUID> lost;
    RuntimeException failure = null;
    try {
      lost = store.appendOutputAll(batch);
    } catch (RuntimeException e) {
      lost = Set.of();
      failure = e;
      LOG.warn("could not write the streamed output of {} jobs; will retry: {}", batch.size(), e.toString());
    }
    for (int i = 0; i < taken.size(); i++) {
      taken.get(i).batchDone(batch.get(i), lost.contains(batch.get(i).lease().jobId()), failure);
    }
  }
}
