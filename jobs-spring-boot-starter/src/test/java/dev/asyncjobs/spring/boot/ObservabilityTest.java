package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.micrometer.JobMetrics;
import dev.asyncjobs.opentelemetry.JobTracing;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Micrometer and OpenTelemetry bindings: with jobs-micrometer and Actuator's MeterRegistry the
 * manager and worker count into the registry and the queue gauges read the manager; with
 * jobs-opentelemetry and an OpenTelemetry bean creates and attempts are spans of one trace; each
 * is absent without its library or its bean, off by property, and replaced by the application's
 * own bean.
 */
class ObservabilityTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ApplicationContextRunner withMetrics() {
    return Apps.starter().withBean(EchoGenerator.class)
        .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, AsyncJobsMetricsAutoConfiguration.class))
        .withPropertyValues("asyncjobs.metrics.refresh-interval=100ms");
  }

  private static ApplicationContextRunner withTracing(InMemorySpanExporter spans) {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    return Apps.starter().withBean(EchoGenerator.class).withBean(OpenTelemetry.class, () -> sdk)
        .withConfiguration(AutoConfigurations.of(AsyncJobsTracingAutoConfiguration.class));
  }

  private static Job runEcho(JobManager jobs) {
    Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1)));
    return Waits.untilValue("the job to complete", WAIT, () -> jobs.get("alice", job.id()), j -> j.status() == JobStatus.COMPLETED);
  }

  @Test
  void withAMeterRegistryTheManagerAndWorkerCountAndTheGaugesReadTheQueue() {
    withMetrics().run(context -> {
      assertThat(context).hasSingleBean(JobMetrics.class);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      runEcho(context.getBean(JobManager.class));
      assertThat(registry.get("asyncjobs.jobs.submitted").tag("type", "echo").counter().count()).isEqualTo(1.0);
      Waits.until("the completion to be counted", WAIT,
          () -> registry.get("asyncjobs.jobs.completed").tag("type", "echo").counter().count() == 1.0);
      assertThat(registry.get("asyncjobs.attempt.duration").tag("outcome", "completed").timer().count()).isEqualTo(1);
      // the gauges of the queue: monitored once the singletons existed, read on the refresh interval
      Waits.until("the queue gauges", WAIT, () -> registry.find("asyncjobs.jobs.pending").gauge() != null,
          () -> registry.getMeters().stream().map(m -> m.getId().getName()).sorted().toList());
    });
  }

  @Test
  void noMetricsWithoutARegistryWithoutTheModuleOrWhenTurnedOff() {
    Apps.starter().withBean(EchoGenerator.class).withConfiguration(AutoConfigurations.of(AsyncJobsMetricsAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobMetrics.class));
    withMetrics().withClassLoader(new FilteredClassLoader(JobMetrics.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobMetrics.class).hasSingleBean(JobManager.class));
    withMetrics().withPropertyValues("asyncjobs.metrics.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobMetrics.class));
  }

  @Test
  void theApplicationsOwnMetricsWinAndAreMonitored() {
    JobMetrics own = JobMetrics.builder().commonTag("app", "mine").refreshInterval(Duration.ofMillis(100)).build();
    withMetrics().withBean(JobMetrics.class, () -> own).run(context -> {
      assertThat(context.getBean(JobMetrics.class)).isSameAs(own);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      runEcho(context.getBean(JobManager.class));
      assertThat(registry.get("asyncjobs.jobs.submitted").tag("app", "mine").counter().count()).isEqualTo(1.0);
      Waits.until("the queue gauges", WAIT, () -> registry.find("asyncjobs.jobs.pending").tag("app", "mine").gauge() != null);
    });
  }

  @Test
  void aBadRefreshIntervalFailsTheStartNamingTheProperty() {
    withMetrics().withPropertyValues("asyncjobs.metrics.refresh-interval=0s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(PropertiesTest.messages(context.getStartupFailure()))
          .contains("asyncjobs.metrics.refresh-interval must be at least PT0.1S, was PT0S");
    });
  }

  @Test
  void withAnOpenTelemetryBeanTheCreateAndTheAttemptAreSpansOfOneTrace() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    withTracing(spans).run(context -> {
      assertThat(context).hasSingleBean(JobTracing.class);
      Job job = runEcho(context.getBean(JobManager.class));
      assertThat(job.metadata()).containsKey("traceparent");
      Waits.until("the create and the attempt span", WAIT, () -> spans.getFinishedSpanItems().size() >= 2,
          spans::getFinishedSpanItems);
      SpanData create = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("create echo")).findFirst().orElseThrow();
      SpanData process = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process echo")).findFirst().orElseThrow();
      assertThat(process.getTraceId()).isEqualTo(create.getTraceId());
      assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
    });
  }

  @Test
  void theApplicationsAttemptInterceptorsRunInsideTheAttemptsSpan() {
    java.util.List<Boolean> inSpan = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.asyncjobs.AttemptInterceptor mine = (job, attempt) -> {
      inSpan.add(io.opentelemetry.api.trace.Span.current().getSpanContext().isValid());
      return attempt.proceed();
    };
    withTracing(InMemorySpanExporter.create()).withBean(dev.asyncjobs.AttemptInterceptor.class, () -> mine).run(context -> {
      runEcho(context.getBean(JobManager.class));
      assertThat(inSpan).containsExactly(true);
    });
  }

  @Test
  void noTracingWithoutAnOpenTelemetryBeanWithoutTheModuleOrWhenTurnedOff() {
    Apps.starter().withBean(EchoGenerator.class).withConfiguration(AutoConfigurations.of(AsyncJobsTracingAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobTracing.class));
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    withTracing(spans).withClassLoader(new FilteredClassLoader(JobTracing.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobTracing.class));
    withTracing(spans).withPropertyValues("asyncjobs.tracing.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(JobTracing.class);
      Job job = runEcho(context.getBean(JobManager.class));
      assertThat(job.metadata()).doesNotContainKey("traceparent");
    });
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void tracingPropertiesReachJobTracingAndTheApplicationsOwnWins() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    withTracing(spans).withPropertyValues("asyncjobs.tracing.create-spans=false").run(context -> {
      runEcho(context.getBean(JobManager.class));
      Waits.until("the attempt span", WAIT, () -> !spans.getFinishedSpanItems().isEmpty());
      assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("process echo");
    });
    JobTracing own = JobTracing.create(OpenTelemetry.noop());
    withTracing(InMemorySpanExporter.create()).withBean(JobTracing.class, () -> own)
        .run(context -> assertThat(context.getBean(JobTracing.class)).isSameAs(own));
  }
}
