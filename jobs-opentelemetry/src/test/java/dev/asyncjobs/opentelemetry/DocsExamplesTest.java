package dev.asyncjobs.opentelemetry;

import static dev.asyncjobs.opentelemetry.Traces.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

/**
 * The Java samples of {@code docs/tracing.md}, compiled and run: each is quoted on the page between
 * its markers, and each test checks that the sample does what the page says.
 */
class DocsExamplesTest {
  @Test
  void registeringTracingOnTheManagerAndTheWorkerPutsTheAttemptInTheCallersTrace() {
    try (Traces traces = new Traces(); JobStore store = new InMemoryJobStore()) {
      OpenTelemetry openTelemetry = traces.sdk();
      Generator<?> generator = new Probe(openTelemetry);
      // EXAMPLE-BEGIN tracing
      JobTracing tracing = JobTracing.create(openTelemetry);   // your OpenTelemetrySdk, or GlobalOpenTelemetry.get()
      JobManager jobs = JobManager.builder().store(store).generator(generator)
          .interceptor(tracing)                                 // creates: the trace context is stored with the job
          .build();
      JobWorker worker = JobWorker.builder(jobs)
          .interceptor(tracing)                                 // attempts: their span is current in the generator
          .listener(tracing)                                    // outcomes: each span ends with how its attempt ended
          .build().start();
      // EXAMPLE-END tracing
      try (jobs; worker) {
        Span request = openTelemetry.getTracer("app").spanBuilder("POST /jobs").startSpan();
        Job job;
        try (Scope ignored = request.makeCurrent()) {
          job = jobs.create(JobRequest.of("alice", Probe.TYPE, new Probe.Step("ok")));
        } finally {
          request.end();
        }
        SpanData process = traces.await("the attempt", named("process probe"));
        SpanData create = traces.await("the create span", named("create probe"));
        assertThat(create.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(process.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        assertThat(process.getAttributes().get(JobSpans.JOB_ID)).isEqualTo(job.id().toString());
        assertThat(process.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("completed");
      }
      traces.awaitNoSpanOpen();
    }
  }

  @Test
  void theSettingsOfThePageDoWhatItSays() {
    try (Traces traces = new Traces(); JobStore store = new InMemoryJobStore()) {
      OpenTelemetry openTelemetry = traces.sdk();
      // EXAMPLE-BEGIN tracing-settings
      JobTracing tracing = JobTracing.builder(openTelemetry)
          .recordOwner(true)                                    // owner ids on the spans (off by default: personal data)
          .createSpans(false)                                   // store the caller's context itself, no "create" span
          .propagator(W3CTraceContextPropagator.getInstance())  // traceparent and tracestate only, no baggage
          .build();
      // EXAMPLE-END tracing-settings
      try (JobManager jobs = JobManager.builder().store(store).generator(new Probe(openTelemetry)).interceptor(tracing).build();
          JobWorker worker = JobWorker.builder(jobs).interceptor(tracing).listener(tracing).build().start()) {
        Span request = openTelemetry.getTracer("app").spanBuilder("POST /jobs").startSpan();
        Job job;
        try (Scope span = request.makeCurrent(); Scope baggage = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
          job = jobs.create(JobRequest.of("alice", Probe.TYPE, new Probe.Step("ok")));
        } finally {
          request.end();
        }
        assertThat(job.metadata()).containsOnlyKeys("traceparent");
        SpanData process = traces.await("the attempt", named("process probe"));
        assertThat(process.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(process.getAttributes().get(JobSpans.JOB_OWNER)).isEqualTo("alice");
        assertThat(traces.finished()).noneMatch(named("create probe"));
      }
      traces.awaitNoSpanOpen();
    }
  }
}
