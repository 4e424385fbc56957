package dev.asyncjobs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Java samples of {@code docs/metrics.md}, compiled and run: each is quoted on the page between
 * its markers (the release check compares every Java block of the docs with the marked examples).
 */
class DocsExamplesTest {

  @Test
  void registerJobMetricsInItsThreePlaces() {
    JobStore store = new InMemoryJobStore();
    EchoGenerator generator = new EchoGenerator();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // EXAMPLE-BEGIN metrics-register
    JobMetrics metrics = JobMetrics.builder().build();
    JobManager jobs = JobManager.builder().store(store).generator(generator)
        .interceptor(metrics)                                  // 1. counts the jobs this process creates
        .build();
    metrics.monitor(jobs);                                     // the queue and limit gauges read this manager
    metrics.bindTo(registry);                                  // 2. a MeterBinder (Spring Boot binds a bean itself)
    JobWorker worker = JobWorker.builder(jobs)
        .listener(metrics)                                     // 3. counts and times this worker's attempts
        .build().start();
    // EXAMPLE-END metrics-register
    try (store; jobs; worker) {
      jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1)));
      Waits.until("the job counted", Duration.ofSeconds(20), () -> Meters.count(registry, "completed", "echo") == 1);
      Waits.until("the gauges registered", Duration.ofSeconds(20),
          () -> registry.scrape().contains("asyncjobs_jobs_pending{type=\"echo\"}"));
      assertThat(registry.scrape()).contains("asyncjobs_jobs_submitted_total{type=\"echo\"} 1");
    }
  }

  @Test
  void theOptions() {
    MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      // EXAMPLE-BEGIN metrics-options
      JobMetrics metrics = JobMetrics.builder()
          .refreshInterval(Duration.ofSeconds(30))             // read queueStats() at most every 30 s (default 10 s)
          .commonTag("application", "render-farm")             // on every meter
          .histogram(true)                                     // buckets for histogram_quantile, up to 1 hour
          .build();
      // EXAMPLE-END metrics-options
      try (JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).interceptor(metrics).build()) {
        metrics.monitor(jobs);
        metrics.bindTo(registry);
        assertThat(metrics.refreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(registry.get("asyncjobs.jobs.completed").tags("application", "render-farm", "type", "echo").counter().count())
            .isZero();
      }
    }
  }
}
