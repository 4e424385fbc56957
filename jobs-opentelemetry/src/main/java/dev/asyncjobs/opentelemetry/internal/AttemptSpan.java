package dev.asyncjobs.opentelemetry.internal;

import dev.asyncjobs.opentelemetry.AttemptOutcome;
import dev.asyncjobs.opentelemetry.JobSpans;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The span of one attempt, from {@code onStarted} until the outcome is known, which may be on
 * another thread (the completion writer) after the attempt's thread moved on. Ends exactly once,
 * whoever gets there first.
 */
final class AttemptSpan {
  private final Span span;
  private final Context context;
  private final Thread thread;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean timedOut;

  /**
   * @param context the extracted creation context with {@code span} in it: what the generator sees as current
   * @param thread the attempt's thread, where the worker calls the generator and the synchronous outcomes
   */
  AttemptSpan(Span span, Context context, Thread thread) {
    this.span = span;
    this.context = context;
    this.thread = thread;
  }

  Context context() {
    return context;
  }

  /** {@return whether the attempt runs on the calling thread} */
  boolean isOnThisThread() {
    return thread == Thread.currentThread();
  }

  void timedOut(Duration timeout) {
    timedOut = true;
    span.addEvent(JobSpans.TIMED_OUT_EVENT, Attributes.of(JobSpans.TIMEOUT_MS, timeout.toMillis()));
  }

  boolean wasTimedOut() {
    return timedOut;
  }

  void retryScheduled(Duration delay, int nextAttempt) {
    span.addEvent(JobSpans.RETRY_SCHEDULED_EVENT,
        Attributes.of(JobSpans.RETRY_DELAY_MS, delay.toMillis(), JobSpans.RETRY_NEXT_ATTEMPT, (long) nextAttempt));
  }

  void leaseLost() {
    span.addEvent(JobSpans.LEASE_LOST_EVENT);
  }

  /**
   * Ends the span with {@code outcome}, status ERROR and the exception for the error outcomes.
   *
   * @return whether this call ended it (false: it had ended already)
   */
  boolean end(AttemptOutcome outcome, @Nullable Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    span.setAttribute(JobSpans.JOB_OUTCOME, outcome.value());
    if (outcome.isError()) {
      if (error != null) {
        span.recordException(error);
      }
      span.setStatus(StatusCode.ERROR, error == null ? outcome.value() : describe(error));
    }
    span.end();
    return true;
  }

  /**
   * Ends the span of an attempt whose outcome nobody reports (the tracing was registered as an
   * interceptor only): ERROR with the exception when the generator threw.
   */
  void endWithoutOutcome(@Nullable Throwable thrown) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    if (thrown != null) {
      span.recordException(thrown);
      span.setStatus(StatusCode.ERROR, describe(thrown));
    }
    span.end();
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null ? error.getClass().getSimpleName() : message;
  }
}
