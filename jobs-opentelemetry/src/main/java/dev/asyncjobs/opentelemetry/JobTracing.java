package dev.asyncjobs.opentelemetry;

import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.opentelemetry.internal.AttemptTracing;
import dev.asyncjobs.opentelemetry.internal.CreateTracing;
import dev.asyncjobs.opentelemetry.internal.MetadataCarrier;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry tracing of jobs, from the code that creates them to every attempt a worker runs.
 *
 * <p>Register one instance on the manager (as its {@link CreateInterceptor}) and on every worker (as
 * its {@link AttemptInterceptor} and its {@link WorkerListener}):
 *
 * <pre>{@code
 * JobTracing tracing = JobTracing.create(openTelemetry);
 * JobManager jobs = JobManager.builder().store(store).generator(generator).interceptor(tracing).build();
 * JobWorker worker = JobWorker.builder(jobs).interceptor(tracing).listener(tracing).build().start();
 * }</pre>
 *
 * <ul>
 *   <li><b>Create.</b> Each request gets a PRODUCER span {@code create <type>}, a child of the
 *       caller's current span (or a new trace), and that span's context is stored with the job in its
 *       metadata by the configured propagator (W3C {@code traceparent}, and {@code tracestate} when
 *       there is one). A request whose metadata carries a context already is left as it is.
 *   <li><b>Attempts.</b> Each attempt runs in a CONSUMER span {@code process <type>} whose parent is
 *       the stored context, so every attempt of a job, retries included, is a child of its create
 *       span in the creator's trace; each also links to that context. The span is current on the
 *       attempt's thread while the generator runs, so the generator's own instrumented calls are its
 *       children. It ends once, with the attempt's {@link AttemptOutcome}, when the worker reports
 *       it, which for a completion is on the worker's writer thread after the write.
 *   <li><b>No context.</b> A job created without tracing, by plain SQL, or with a malformed {@code
 *       traceparent} runs in a new root span.
 * </ul>
 *
 * <p>{@link JobSpans} names the spans, attributes and events. Owner ids are left out unless
 * {@link Builder#recordOwner} asks for them. Thread-safe; one instance serves any number of managers
 * and workers.
 */
public final class JobTracing implements CreateInterceptor, AttemptInterceptor, WorkerListener {
  private final CreateTracing creates;
  private final AttemptTracing attempts;
  private final boolean createSpans;
  private final boolean recordOwner;

  private JobTracing(Builder b) {
    TracerBuilder tracerBuilder = b.openTelemetry.tracerBuilder(JobSpans.INSTRUMENTATION_SCOPE);
    String version = JobTracing.class.getPackage().getImplementationVersion();
    if (version != null) {
      tracerBuilder.setInstrumentationVersion(version);
    }
    Tracer tracer = tracerBuilder.build();
    TextMapPropagator propagator =
        b.propagator != null ? b.propagator : b.openTelemetry.getPropagators().getTextMapPropagator();
    MetadataCarrier carrier = new MetadataCarrier(propagator);
    this.createSpans = b.createSpans;
    this.recordOwner = b.recordOwner;
    this.creates = new CreateTracing(tracer, carrier, b.createSpans, b.recordOwner);
    this.attempts = new AttemptTracing(tracer, carrier, b.recordOwner);
  }

  /**
   * Tracing with the defaults: create spans on, owners not recorded, the instance's propagators.
   *
   * @param openTelemetry the application's OpenTelemetry (an SDK, {@code GlobalOpenTelemetry.get()}, the agent's)
   * @return the tracing
   * @throws JobConfigurationException when {@code openTelemetry} is null
   */
  public static JobTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * A builder of tracing that uses {@code openTelemetry}'s tracer provider and propagators.
   *
   * @param openTelemetry the application's OpenTelemetry
   * @return the builder
   * @throws JobConfigurationException when {@code openTelemetry} is null
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    if (openTelemetry == null) {
      throw new JobConfigurationException(
          "openTelemetry must not be null: pass the application's OpenTelemetry (an OpenTelemetrySdk, or "
              + "GlobalOpenTelemetry.get()), or OpenTelemetry.noop() for none");
    }
    return new Builder(openTelemetry);
  }

  /**
   * Adds the caller's trace context (or that of a new create span) to the request's metadata.
   *
   * @param request the caller's request
   * @return the request with the context, or unchanged when it carries one already or there is none
   */
  @Override
  public JobRequest beforeCreate(JobRequest request) {
    return creates.beforeCreate(request);
  }

  /**
   * Runs the generator with the attempt's span current on this thread.
   *
   * @param job the job, as claimed
   * @param attempt the rest of the chain
   * @return what the chain returns
   */
  @Override
  public Object intercept(Job job, AttemptInterceptor.Attempt attempt) {
    return attempts.intercept(job, attempt);
  }

  /**
   * Starts the attempt's span.
   *
   * @param job the job, as claimed
   */
  @Override
  public void onStarted(Job job) {
    attempts.started(job);
  }

  /**
   * Ends the attempt's span: {@link AttemptOutcome#COMPLETED}.
   *
   * @param job the job, COMPLETED
   * @param duration the attempt's run time
   */
  @Override
  public void onCompleted(Job job, Duration duration) {
    attempts.completed(job);
  }

  /**
   * Adds {@link JobSpans#RETRY_SCHEDULED_EVENT} and ends the attempt's span: {@link
   * AttemptOutcome#RETRY_SCHEDULED} (or {@link AttemptOutcome#TIMED_OUT}), ERROR with the exception.
   *
   * @param job the job, PENDING again
   * @param error why the attempt failed
   * @param delay how long until the next attempt
   */
  @Override
  public void onRetryScheduled(Job job, Throwable error, Duration delay) {
    attempts.retryScheduled(job, error, delay);
  }

  /**
   * Ends the attempt's span: {@link AttemptOutcome#FAILED} (or {@link AttemptOutcome#TIMED_OUT}),
   * ERROR with the exception.
   *
   * @param job the job, FAILED
   * @param error the attempt's failure
   */
  @Override
  public void onFailed(Job job, Throwable error) {
    attempts.failed(job, error);
  }

  /**
   * Ends the attempt's span: {@link AttemptOutcome#CANCELLED}.
   *
   * @param job the job, CANCELLED
   */
  @Override
  public void onCancelled(Job job) {
    attempts.cancelled(job);
  }

  /**
   * Adds {@link JobSpans#TIMED_OUT_EVENT}; the span ends with the failure reported next.
   *
   * @param job the job
   * @param timeout the timeout it ran past
   */
  @Override
  public void onTimedOut(Job job, Duration timeout) {
    attempts.timedOut(job, timeout);
  }

  /**
   * Adds {@link JobSpans#LEASE_LOST_EVENT} and ends the attempt's span: {@link
   * AttemptOutcome#LEASE_LOST}, ERROR.
   *
   * @param job the job as this worker last knew it
   */
  @Override
  public void onLeaseLost(Job job) {
    attempts.leaseLost(job);
  }

  /**
   * Ends the attempt's span: {@link AttemptOutcome#RELEASED}.
   *
   * @param job the job, PENDING
   */
  @Override
  public void onReleased(Job job) {
    attempts.released(job);
  }

  /**
   * Ends the attempt's span: {@link AttemptOutcome#NOT_RECORDED}, ERROR with the store's exception.
   *
   * @param job the job as this worker last knew it
   * @param error the store's failure
   */
  @Override
  public void onOutcomeNotRecorded(Job job, RuntimeException error) {
    attempts.notRecorded(job, error);
  }

  /** {@return how many attempt spans are open now} For tests of this module: zero when every attempt reported. */
  int openAttemptSpans() {
    return attempts.openSpans();
  }

  @Override
  public String toString() {
    return "JobTracing[createSpans=" + createSpans + ", recordOwner=" + recordOwner + "]";
  }

  /** Settings of a {@link JobTracing}; every one has a default. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private @Nullable TextMapPropagator propagator;
    private boolean createSpans = true;
    private boolean recordOwner;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
    }

    /**
     * Whether each create gets a PRODUCER span {@code create <type>} whose context is stored (the
     * default), or the caller's current context is stored as it is. Without create spans, a job
     * created outside any span carries no context, and each of its attempts starts a trace of its own.
     *
     * @param enabled true for create spans
     * @return this builder
     */
    public Builder createSpans(boolean enabled) {
      this.createSpans = enabled;
      return this;
    }

    /**
     * Whether the job's owner id goes on the spans ({@link JobSpans#JOB_OWNER}). Off by default:
     * an owner id may be personal data, and spans often leave the organisation.
     *
     * @param enabled true to record owners
     * @return this builder
     */
    public Builder recordOwner(boolean enabled) {
      this.recordOwner = enabled;
      return this;
    }

    /**
     * The propagator that writes the trace context into a job's metadata and reads it back, instead
     * of {@code openTelemetry.getPropagators().getTextMapPropagator()}; e.g. {@code
     * W3CTraceContextPropagator.getInstance()} to store no baggage. Creators and workers must use the
     * same one. A field that does not fit a job's metadata (names of a-z, 0-9, {@code .}, {@code _}
     * and {@code -}; values of at most 512 characters; 16 entries) is left out and logged once.
     *
     * @param propagator the propagator
     * @return this builder
     * @throws JobConfigurationException when {@code propagator} is null
     */
    public Builder propagator(TextMapPropagator propagator) {
      if (propagator == null) {
        throw new JobConfigurationException(
            "propagator must not be null: leave it unset to use the OpenTelemetry instance's propagators");
      }
      this.propagator = propagator;
      return this;
    }

    /** {@return the tracing} */
    public JobTracing build() {
      return new JobTracing(this);
    }
  }
}
