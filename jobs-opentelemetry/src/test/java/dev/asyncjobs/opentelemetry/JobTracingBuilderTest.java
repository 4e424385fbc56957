package dev.asyncjobs.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.junit.jupiter.api.Test;

/** Bad settings are refused with a typed error naming them; the no-op OpenTelemetry traces nothing and breaks nothing. */
class JobTracingBuilderTest {
  @Test
  void aNullOpenTelemetryIsRefusedByBothFactories() {
    assertThatThrownBy(() -> JobTracing.create(null))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageStartingWith("openTelemetry must not be null")
        .hasMessageContaining("OpenTelemetry.noop()");
    assertThatThrownBy(() -> JobTracing.builder(null))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageStartingWith("openTelemetry must not be null");
  }

  @Test
  void aNullPropagatorIsRefusedAndTheBuilderKeepsWhatItHad() {
    JobTracing.Builder builder = JobTracing.builder(OpenTelemetry.noop()).propagator(W3CTraceContextPropagator.getInstance());
    assertThatThrownBy(() -> builder.propagator(null))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageStartingWith("propagator must not be null");
    assertThat(builder.build()).hasToString("JobTracing[createSpans=true, recordOwner=false]");
  }

  @Test
  void theNoopOpenTelemetryStoresNothingAndJobsRunAsUsual() {
    JobTracing tracing = JobTracing.builder(OpenTelemetry.noop()).recordOwner(true).build();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator())
        .interceptor(tracing).build()) {
      Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 2)));
      assertThat(job.metadata()).isEmpty();
      ManualWorker worker = JobWorker.builder(jobs).interceptor(tracing).listener(tracing).buildManual();
      assertThat(worker.runNext().orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(tracing.openAttemptSpans()).isZero();
    }
  }

  @Test
  void aPropagatorThatFailsCostsNoCreate() {
    TextMapPropagator broken = new TextMapPropagator() {
      @Override
      public java.util.Collection<String> fields() {
        return java.util.List.of("x-broken");
      }

      @Override
      public <C> void inject(io.opentelemetry.context.Context context, C carrier, io.opentelemetry.context.propagation.TextMapSetter<C> setter) {
        throw new IllegalStateException("broken on purpose");
      }

      @Override
      public <C> io.opentelemetry.context.Context extract(
          io.opentelemetry.context.Context context, C carrier, io.opentelemetry.context.propagation.TextMapGetter<C> getter) {
        throw new IllegalStateException("broken on purpose");
      }
    };
    JobTracing tracing = JobTracing.builder(OpenTelemetry.noop()).propagator(broken).build();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator())
        .interceptor(tracing).build()) {
      Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1)));
      assertThat(job.metadata()).isEmpty();
      ManualWorker worker = JobWorker.builder(jobs).interceptor(tracing).listener(tracing).buildManual();
      assertThat(worker.runNext().orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }
}
