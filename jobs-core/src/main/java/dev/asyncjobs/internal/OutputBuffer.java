package dev.asyncjobs.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.OutputTooLargeException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers one attempt's partial output and writes it to the store in order: in the worker runtime
 * through the {@link OutputWriter}, with every other attempt's, once per interval; in the manual
 * worker by itself, at most once per interval (plus at once when a write would grow past {@link
 * #FLUSH_BYTES}). A generator may emit a token at a time without a store write per token. Consecutive text deltas become one. The first
 * piece is written at once, so that the first token reaches the reader without waiting an interval.
 * The first write of a retried attempt starts with {@link OutputChunk#restarted()}.
 *
 * <p>What the attempt may emit in all is bounded ({@code maxBytes}, UTF-8 bytes of text and part
 * JSON); a piece past it is refused with {@link OutputTooLargeException} and nothing of it is kept.
 * A write the store refuses for a passing reason (a connection lost) keeps its pieces for the next
 * one; the bound holds them.
 */
final class OutputBuffer {
  /** A write is made at once when this much waits, whatever the interval: bounded statement size. */
  static final int FLUSH_BYTES = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(OutputBuffer.class);

  private final JobStore store;
  private final Lease lease;
  private final long maxBytes;
  private final WriteSchedule schedule;
  private final Consumer<RuntimeException> onDeferredFailure;

  private final List<OutputChunk> pending = new ArrayList<>();
  private final StringBuilder text = new StringBuilder();
  private boolean restartPending;
  private long pendingBytes;
  private long totalBytes;
  private boolean closed;
  private @Nullable LeaseLostException lost;
  /** Writes this buffer's pieces with every other attempt's, or {@code null}: the buffer writes itself. */
  private final @Nullable OutputWriter writer;
  /** Whether the writer is writing pieces taken from here (at most one write in flight, for order). */
  private boolean inFlight;
  private boolean everTaken;

  /**
   * @param restarts whether this is a retried attempt, whose output replaces the earlier ones'
   * @param onDeferredFailure told when a write from the timer fails (e.g. the lease was lost)
   */
  /**
   * A buffer whose pieces {@code writer} writes with the other attempts' (the worker runtime); with
   * {@code null} it writes them itself, at most once per interval (the manual worker).
   *
   * @param restarts whether this is a retried attempt, whose output replaces the earlier ones'
   * @param onDeferredFailure told when a write made later (timer or writer) fails, e.g. the lease was lost
   */
  OutputBuffer(
      JobStore store,
      Lease lease,
      boolean restarts,
      long intervalNanos,
      long maxBytes,
      LongSupplier nanoTime,
      @Nullable ScheduledExecutorService timer,
      Consumer<RuntimeException> onDeferredFailure,
      @Nullable OutputWriter writer) {
    this.writer = writer;
    this.store = store;
    this.lease = lease;
    this.restartPending = restarts;
    this.maxBytes = maxBytes;
    this.schedule = new WriteSchedule(intervalNanos, nanoTime, timer, this::deferredFlush);
    this.onDeferredFailure = onDeferredFailure;
    if (writer != null) {
      writer.register(this);
    }
  }

  /**
   * Takes a text delta.
   *
   * @throws OutputTooLargeException the attempt's output would pass the limit
   * @throws LeaseLostException a write was refused because the lease is gone
   */
  synchronized void appendText(String delta) {
    if (delta.isEmpty()) {
      return;
    }
    take(delta);
    text.append(delta);
    written();
  }

  /**
   * Takes a part (JSON text).
   *
   * @throws OutputTooLargeException the attempt's output would pass the limit
   * @throws LeaseLostException a write was refused because the lease is gone
   */
  synchronized void emitPart(String json) {
    take(json);
    endText();
    pending.add(OutputChunk.part(json));
    written();
  }

  /**
   * Writes what waits, now.
   *
   * @throws LeaseLostException the write was refused because the lease is gone
   */
  synchronized void flush() {
    schedule.cancel();
    awaitNoneInFlight();
    if (lost != null) {
      throw lost;
    }
    write();
  }

  /** Stops deferred writes: the attempt is over; later pieces are refused. */
  synchronized void close() {
    closed = true;
    schedule.close();
    if (writer != null) {
      writer.unregister(this);
    }
  }

  /**
   * For the writer: {@return this buffer's pieces to write in its next round, or {@code null} when
   * none wait or a write of them is still in flight}
   */
  synchronized @Nullable OutputAppend takeForBatch() {
    if (inFlight || lost != null) {
      return null;
    }
    List<OutputChunk> chunks = drain();
    if (chunks == null) {
      return null;
    }
    inFlight = true;
    return new OutputAppend(lease, chunks);
  }

  /**
   * For the writer: how the write of {@code append} (taken by {@link #takeForBatch}) ended.
   *
   * @param leaseLost the store refused it: the lease is gone
   * @param failure the store failed for another reason (the pieces are kept for the next round)
   */
  void batchDone(OutputAppend append, boolean leaseLost, @Nullable RuntimeException failure) {
    LeaseLostException gone = null;
    synchronized (this) {
      inFlight = false;
      if (leaseLost) {
        gone = new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
        lost = gone;
        pending.clear();
        text.setLength(0);
        pendingBytes = 0;
      } else if (failure != null) {
        restore(append.chunks());
      }
      notifyAll();
    }
    if (gone != null) {
      onDeferredFailure.accept(gone);
    }
  }

  /** The pieces of a failed write go back before those gathered since, the restart marker first. */
  private void restore(List<OutputChunk> chunks) {
    List<OutputChunk> back = new ArrayList<>(chunks);
    if (!back.isEmpty() && back.get(0).kind() == JobEvent.Kind.OUTPUT_RESTARTED) {
      back.remove(0);
      restartPending = true;
    }
    endText();
    back.addAll(pending);
    pending.clear();
    pending.addAll(back);
    for (OutputChunk c : back) {
      pendingBytes += utf8Length(c.data());
    }
  }

  private void awaitNoneInFlight() {
    boolean interrupted = false;
    while (inFlight) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the final flush still waits for the round in flight (it is one statement)
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void take(String piece) {
    if (lost != null) {
      throw lost; // a timed write found the lease gone: the generator learns at its next piece
    }
    if (closed) {
      throw new IllegalStateException("the attempt of job " + lease.jobId() + " is over: no more output can be emitted");
    }
    long bytes = utf8Length(piece);
    if (totalBytes + bytes > maxBytes) {
      throw new OutputTooLargeException(maxBytes, totalBytes + bytes);
    }
    totalBytes += bytes;
    pendingBytes += bytes;
  }

  private void written() {
    if (writer != null) {
      if (!everTaken || pendingBytes >= FLUSH_BYTES) {
        everTaken = true;
        writer.writeSoon(); // the first piece, and a full buffer, do not wait for the round
      }
      return;
    }
    if (pendingBytes >= FLUSH_BYTES) {
      schedule.cancel();
      write();
    } else if (schedule.writeNow()) {
      write();
    }
  }

  private void endText() {
    if (text.length() == 0) {
      return;
    }
    int last = pending.size() - 1;
    if (last >= 0 && pending.get(last).kind() == JobEvent.Kind.TEXT_DELTA) {
      // left over from a refused write: still one delta
      pending.set(last, OutputChunk.text(pending.get(last).data() + text));
    } else {
      pending.add(OutputChunk.text(text.toString()));
    }
    text.setLength(0);
  }

  /** The pieces waiting, with the restart marker first when it is due; {@code null} when none wait. */
  private @Nullable List<OutputChunk> drain() {
    endText();
    if (pending.isEmpty()) {
      return null;
    }
    List<OutputChunk> chunks = new ArrayList<>(pending.size() + 1);
    if (restartPending) {
      chunks.add(OutputChunk.restarted());
    }
    chunks.addAll(pending);
    pending.clear();
    pendingBytes = 0;
    restartPending = false;
    return chunks;
  }

  private void write() {
    List<OutputChunk> chunks = drain();
    if (chunks == null) {
      return;
    }
    schedule.written();
    try {
      store.appendOutput(new OutputAppend(lease, chunks));
    } catch (LeaseLostException e) {
      lost = e;
      throw e;
    } catch (RuntimeException e) {
      // Output is streamed for readers; the result is what counts. A store hiccup keeps the pieces
      // for the next write instead of failing the attempt.
      restore(chunks);
      LOG.warn("could not write {} output pieces of job {}; will retry: {}", chunks.size(), lease.jobId(), e.toString());
    }
  }

  private synchronized void deferredFlush() {
    if (!schedule.deferredIsDue()) {
      return;
    }
    try {
      write();
    } catch (RuntimeException e) {
      onDeferredFailure.accept(e);
    }
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
