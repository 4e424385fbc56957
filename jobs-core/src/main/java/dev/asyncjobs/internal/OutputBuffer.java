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
 * Gathers one attempt's partial output and writes it to the store in order, at most once per
 * interval (plus at once when a write would grow past {@link #FLUSH_BYTES}): a generator may emit
 * a token at a time without a store write per token. Consecutive text deltas become one. The first
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

  /**
   * @param restarts whether this is a retried attempt, whose output replaces the earlier ones'
   * @param onDeferredFailure told when a write from the timer fails (e.g. the lease was lost)
   */
  OutputBuffer(
      JobStore store,
      Lease lease,
      boolean restarts,
      long intervalNanos,
      long maxBytes,
      LongSupplier nanoTime,
      @Nullable ScheduledExecutorService timer,
      Consumer<RuntimeException> onDeferredFailure) {
    this.store = store;
    this.lease = lease;
    this.restartPending = restarts;
    this.maxBytes = maxBytes;
    this.schedule = new WriteSchedule(intervalNanos, nanoTime, timer, this::deferredFlush);
    this.onDeferredFailure = onDeferredFailure;
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
    write();
  }

  /** Stops deferred writes: the attempt is over; later pieces are refused. */
  synchronized void close() {
    closed = true;
    schedule.close();
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

  private void write() {
    endText();
    if (pending.isEmpty()) {
      return;
    }
    List<OutputChunk> chunks = new ArrayList<>(pending.size() + 1);
    if (restartPending) {
      chunks.add(OutputChunk.restarted());
    }
    chunks.addAll(pending);
    schedule.written();
    try {
      store.appendOutput(new OutputAppend(lease, chunks));
      pending.clear();
      pendingBytes = 0;
      restartPending = false;
    } catch (LeaseLostException e) {
      pending.clear();
      pendingBytes = 0;
      lost = e;
      throw e;
    } catch (RuntimeException e) {
      // Output is streamed for readers; the result is what counts. A store hiccup keeps the pieces
      // for the next write instead of failing the attempt.
      LOG.warn("could not write {} output pieces of job {}; will retry: {}", pending.size(), lease.jobId(), e.toString());
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
