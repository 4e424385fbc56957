package dev.asyncjobs.internal;

import dev.asyncjobs.Usage;
import dev.asyncjobs.Job;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One running attempt of one job on this worker: its lease, who owns the right to write its
 * outcome, and the thread to interrupt.
 *
 * <p>The state decides who writes, exactly once: the job thread moves RUNNING → FINISHING and
 * writes the outcome; a lost lease moves RUNNING → ABANDONED (nobody writes); shutdown moves RUNNING
 * → RELEASED (the job thread releases the lease once the generator has stopped). Cancellation and
 * timeout are flags beside the state, read when the outcome is decided.
 */
final class Attempt {
  enum State { RUNNING, FINISHING, ABANDONED, RELEASED }

  private final Job job;
  private final Lease lease;
  private final Duration timeout;
  private final Instant deadline;
  private final long startNanos;
  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private final @Nullable Runnable cancelProbe;
  private volatile boolean cancelRequested;
  private volatile boolean timedOut;
  private volatile long leaseValidUntilNanos;
  /** The units the generator last reported, or -1 when it reported none. */
  private volatile long reportedUnits = -1;
  private Usage usage = Usage.NONE;
  private @Nullable Thread thread;
  private @Nullable ProgressReporter progress;
  private @Nullable OutputBuffer output;
  private @Nullable ScheduledFuture<?> timeoutTask;

  /**
   * @param cancelProbe asks the store whether the job was cancelled, for workers that receive no
   *     events (the manual worker); {@code null} when flags are pushed by events and heartbeats
   */
  Attempt(Job job, Duration timeout, Instant deadline, Duration lease, @Nullable Runnable cancelProbe) {
    this.job = job;
    this.lease = Lease.of(job);
    this.timeout = timeout;
    this.deadline = deadline;
    this.startNanos = System.nanoTime();
    this.leaseValidUntilNanos = startNanos + lease.toNanos();
    this.cancelProbe = cancelProbe;
  }

  Job job() {
    return job;
  }

  Lease lease() {
    return lease;
  }

  Duration timeout() {
    return timeout;
  }

  Instant deadline() {
    return deadline;
  }

  long startNanos() {
    return startNanos;
  }

  State state() {
    return state.get();
  }

  ProgressReporter progress() {
    if (progress == null) {
      throw new IllegalStateException("progress reporter not set");
    }
    return progress;
  }

  void progress(ProgressReporter reporter) {
    this.progress = reporter;
  }

  OutputBuffer output() {
    if (output == null) {
      throw new IllegalStateException("output buffer not set");
    }
    return output;
  }

  void output(OutputBuffer buffer) {
    this.output = buffer;
  }

  void timeoutTask(@Nullable ScheduledFuture<?> task) {
    this.timeoutTask = task;
  }

  void cancelTimeoutTask() {
    ScheduledFuture<?> t = timeoutTask;
    if (t != null) {
      t.cancel(false);
    }
  }

  /** Whether the owner asked to cancel (asking the store first when there is a probe). */
  boolean isCancelRequested() {
    if (!cancelRequested && cancelProbe != null && state.get() == State.RUNNING) {
      cancelProbe.run();
    }
    return cancelRequested;
  }

  boolean timedOut() {
    return timedOut;
  }

  /** The generator reported {@code units} used by this attempt; the last report counts. */
  void reportUnits(long units) {
    reportedUnits = units;
  }

  /** The generator reported {@code more} consumed; reports add up. */
  synchronized void reportUsage(Usage more) {
    usage = usage.plus(more);
  }

  /** {@return what the generator reported consumed, added up} */
  synchronized Usage usage() {
    return usage;
  }

  /** {@return the units the generator last reported, or -1 when none} */
  long reportedUnits() {
    return reportedUnits;
  }

  long leaseValidUntilNanos() {
    return leaseValidUntilNanos;
  }

  void leaseValidUntilNanos(long nanos) {
    leaseValidUntilNanos = nanos;
  }

  /** The running thread is this one, until {@link #unbind()}. */
  synchronized void bind(Thread current) {
    thread = current;
  }

  /**
   * The generator has returned: later interrupts must not hit the thread, which goes on to write
   * the outcome and then to other work. Clears an interrupt that arrived meanwhile.
   */
  void unbind() {
    synchronized (this) {
      thread = null;
    }
    Thread.interrupted();
  }

  synchronized boolean isBound() {
    return thread != null;
  }

  private synchronized void interrupt() {
    if (thread != null) {
      thread.interrupt();
    }
  }

  /** The owner asked to cancel: the generator sees the flag and is interrupted. */
  void requestCancel() {
    cancelRequested = true;
    if (state.get() == State.RUNNING) {
      interrupt();
    }
  }

  /** The deadline passed: interrupt. @return whether the attempt was still running */
  boolean timeOut() {
    if (state.get() != State.RUNNING) {
      return false;
    }
    timedOut = true;
    interrupt();
    return true;
  }

  /** The lease is gone: interrupt and write nothing. @return whether this call abandoned it */
  boolean abandon() {
    if (state.compareAndSet(State.RUNNING, State.ABANDONED)) {
      interrupt();
      return true;
    }
    return false;
  }

  /** Shutdown: interrupt, and release the lease when the generator stops. @return whether this call did it */
  boolean release() {
    if (state.compareAndSet(State.RUNNING, State.RELEASED)) {
      interrupt();
      return true;
    }
    return false;
  }

  /** The job thread takes the right to write the outcome. @return the state before (RUNNING when taken) */
  State beginFinish() {
    return state.compareAndExchange(State.RUNNING, State.FINISHING);
  }
}
