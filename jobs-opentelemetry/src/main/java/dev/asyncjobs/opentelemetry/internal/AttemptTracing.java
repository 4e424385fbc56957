package dev.asyncjobs.opentelemetry.internal;

import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.opentelemetry.AttemptOutcome;
import dev.asyncjobs.opentelemetry.JobSpans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spans of the attempts running on the workers this tracing is registered on, by job and
 * attempt number. A span starts at {@code onStarted} (on the attempt's thread, just before the
 * interceptors run), is made current by {@link #intercept} while the generator runs, and ends at the
 * one outcome the worker reports for the attempt (see {@code AttemptRunner}: completed, cancelled,
 * retry scheduled, failed, lease lost, released, or not recorded), whichever thread reports it.
 *
 * <p>An attempt number is used once per job, except after a release at shutdown (the store gives
 * the attempt back uncounted), so a key is normally unique. When a second worker of this process
 * claims a released job before the releasing thread reported it, {@link #started} ends the first
 * span as released, and {@link #released} only ends a span that runs on the reporting thread.
 */
public final class AttemptTracing {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.opentelemetry.JobTracing");

  private record Key(UUID jobId, int attempt) {
    static Key of(Job job) {
      return new Key(job.id(), job.attempts());
    }
  }

  private final Tracer tracer;
  private final MetadataCarrier carrier;
  private final boolean recordOwner;
  private final ConcurrentHashMap<Key, AttemptSpan> open = new ConcurrentHashMap<>();
  private final AtomicBoolean warnedNoListener = new AtomicBoolean();

  /** @param recordOwner whether the owner id goes on the spans */
  public AttemptTracing(Tracer tracer, MetadataCarrier carrier, boolean recordOwner) {
    this.tracer = tracer;
    this.carrier = carrier;
    this.recordOwner = recordOwner;
  }

  /** {@return how many attempt spans are open} Those of attempts whose outcome is not known yet. */
  public int openSpans() {
    return open.size();
  }

  /** An attempt of {@code job} (as claimed) starts on this thread: its span starts. */
  public void started(Job job) {
    AttemptSpan current = open.get(Key.of(job));
    if (current != null && current.isOnThisThread()) {
      return; // registered twice on one worker: one span per attempt all the same
    }
    AttemptSpan span = start(job);
    AttemptSpan before = open.put(Key.of(job), span);
    if (before != null) {
      // Only a release hands an attempt number out again: the earlier holder gave the job back.
      before.end(AttemptOutcome.RELEASED, null);
    }
  }

  /**
   * Runs the rest of the chain with the attempt's span current. When no span was started (this
   * tracing is not a listener of the worker), the attempt gets a span of its own that ends here,
   * without an outcome.
   */
  public Object intercept(Job job, AttemptInterceptor.Attempt attempt) {
    AttemptSpan span = open.get(Key.of(job));
    if (span != null && span.isOnThisThread()) {
      try (Scope ignored = span.context().makeCurrent()) {
        return attempt.proceed();
      }
    }
    if (warnedNoListener.compareAndSet(false, true)) {
      LOG.warn("JobTracing is registered as an interceptor but not as a listener of this worker "
          + "(JobWorker.Builder.listener): attempt spans end when the generator returns and carry no outcome");
    }
    AttemptSpan own = start(job);
    Throwable thrown = null;
    try (Scope ignored = own.context().makeCurrent()) {
      return attempt.proceed();
    } catch (RuntimeException | Error e) {
      thrown = e;
      throw e;
    } finally {
      own.endWithoutOutcome(thrown);
    }
  }

  /** The attempt ran past its timeout; its failure is reported next. */
  public void timedOut(Job job, Duration timeout) {
    AttemptSpan span = open.get(Key.of(job));
    if (span != null) {
      span.timedOut(timeout);
    }
  }

  /** The attempt failed and {@code job} (PENDING again) runs again after {@code delay}. */
  public void retryScheduled(Job job, Throwable error, Duration delay) {
    AttemptSpan span = open.get(Key.of(job));
    if (span != null) {
      span.retryScheduled(delay, job.attempts() + 1);
      end(job, span.wasTimedOut() ? AttemptOutcome.TIMED_OUT : AttemptOutcome.RETRY_SCHEDULED, error, s -> true);
    }
  }

  /** The attempt failed and {@code job} failed for good. */
  public void failed(Job job, Throwable error) {
    AttemptSpan span = open.get(Key.of(job));
    if (span != null) {
      end(job, span.wasTimedOut() ? AttemptOutcome.TIMED_OUT : AttemptOutcome.FAILED, error, s -> true);
    }
  }

  /** The attempt's result was written. */
  public void completed(Job job) {
    end(job, AttemptOutcome.COMPLETED, null, s -> true);
  }

  /** The job ended CANCELLED. */
  public void cancelled(Job job) {
    end(job, AttemptOutcome.CANCELLED, null, s -> true);
  }

  /** The worker lost the lease of {@code job} (as it knew it); nothing was written. */
  public void leaseLost(Job job) {
    AttemptSpan span = open.get(Key.of(job));
    if (span != null) {
      span.leaseLost();
      end(job, AttemptOutcome.LEASE_LOST, null, s -> true);
    }
  }

  /**
   * {@code job} was given back at shutdown: PENDING with the attempt uncounted (so the attempt was
   * the next number), or CANCELLED when a cancel was asked meanwhile. Reported on the attempt's thread.
   */
  public void released(Job job) {
    int attempt = job.status() == JobStatus.PENDING ? job.attempts() + 1 : job.attempts();
    end(new Key(job.id(), attempt), AttemptOutcome.RELEASED, null, AttemptSpan::isOnThisThread);
  }

  /** The store refused to write the attempt's outcome. */
  public void notRecorded(Job job, RuntimeException error) {
    end(job, AttemptOutcome.NOT_RECORDED, error, s -> true);
  }

  private void end(Job job, AttemptOutcome outcome, @Nullable Throwable error, Predicate<AttemptSpan> mine) {
    end(Key.of(job), outcome, error, mine);
  }

  private void end(Key key, AttemptOutcome outcome, @Nullable Throwable error, Predicate<AttemptSpan> mine) {
    AttemptSpan span = open.get(key);
    if (span != null && mine.test(span) && open.remove(key, span)) {
      span.end(outcome, error);
    }
  }

  private AttemptSpan start(Job job) {
    Context creation = carrier.extract(job.metadata());
    SpanBuilder builder = tracer.spanBuilder(JobSpans.PROCESS_SPAN_PREFIX + job.type())
        .setSpanKind(SpanKind.CONSUMER)
        // The creation context, never the worker thread's own: a root span when the job has none.
        .setParent(creation)
        .setAttribute(JobSpans.MESSAGING_SYSTEM, JobSpans.SYSTEM)
        .setAttribute(JobSpans.MESSAGING_OPERATION_TYPE, "process")
        .setAttribute(JobSpans.MESSAGING_OPERATION_NAME, "process")
        .setAttribute(JobSpans.MESSAGING_DESTINATION_NAME, job.type())
        .setAttribute(JobSpans.MESSAGING_MESSAGE_ID, job.id().toString())
        .setAttribute(JobSpans.JOB_ID, job.id().toString())
        .setAttribute(JobSpans.JOB_TYPE, job.type())
        .setAttribute(JobSpans.JOB_ATTEMPT, (long) job.attempts())
        .setAttribute(JobSpans.JOB_MAX_ATTEMPTS, (long) job.maxAttempts());
    String worker = job.workerId();
    if (worker != null) {
      builder.setAttribute(JobSpans.WORKER_ID, worker);
    }
    if (recordOwner) {
      builder.setAttribute(JobSpans.JOB_OWNER, job.ownerId());
    }
    SpanContext created = Span.fromContext(creation).getSpanContext();
    if (created.isValid()) {
      // Messaging conventions: a process span links to the message's creation context, also
      // when that is its parent, for the tools that follow links between producer and consumer.
      builder.addLink(created);
    }
    Span span = builder.startSpan();
    return new AttemptSpan(span, creation.with(span), Thread.currentThread());
  }
}
