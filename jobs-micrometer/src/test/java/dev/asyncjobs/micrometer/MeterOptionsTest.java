package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Common tags reach every meter; percentiles and histogram buckets are on only when asked for. */
class MeterOptionsTest {

  private static SimpleMeterRegistry runOneJob(JobMetrics metrics) {
    return runOneJob(metrics, new SimpleMeterRegistry());
  }

  private static <R extends MeterRegistry> R runOneJob(JobMetrics metrics, R registry) {
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager jobs = JobManager.builder().store(store).interceptor(metrics)
            .generator(new Scripted("ok", (step, ctx) -> "done")).build()) {
      metrics.monitor(jobs);
      metrics.bindTo(registry);
      JobWorker worker = JobWorker.builder(jobs).listener(metrics).build().start();
      try {
        create(jobs, "ok");
        Waits.until("the job completed", WAIT, () -> Meters.count(registry, "completed", "ok") == 1);
      } finally {
        worker.close();
      }
    }
    return registry;
  }

  @Test
  void commonTagsAreOnEveryMeter() {
    SimpleMeterRegistry registry = runOneJob(JobMetrics.builder().refreshExecutor(Runnable::run)
        .commonTag("application", "render-farm").commonTags(List.of(Tag.of("region", "eu-west"))).build());
    List<Meter> ours = registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("asyncjobs.")).toList();
    assertThat(ours).extracting(m -> m.getId().getName()).contains("asyncjobs.jobs.completed", "asyncjobs.attempt.duration",
        "asyncjobs.queue.wait", "asyncjobs.jobs.pending", "asyncjobs.queue.oldest.due.age");
    assertThat(ours).allSatisfy(m -> {
      assertThat(m.getId().getTag("application")).isEqualTo("render-farm");
      assertThat(m.getId().getTag("region")).isEqualTo("eu-west");
    });
    assertThat(registry.get("asyncjobs.jobs.completed").tags("application", "render-farm", "type", "ok").counter().count())
        .isEqualTo(1);
  }

  @Test
  void percentilesAndHistogramAreOffByDefaultAndOnWhenAskedFor() {
    // the Prometheus registry, since the simple one keeps no histogram buckets
    PrometheusMeterRegistry plain = runOneJob(JobMetrics.builder().build(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    HistogramSnapshot off = Meters.attemptTimer(plain, "ok", "completed").takeSnapshot();
    assertThat(off.percentileValues()).isEmpty();
    assertThat(off.histogramCounts()).isEmpty();
    assertThat(plain.scrape()).doesNotContain("asyncjobs_attempt_duration_seconds_bucket").doesNotContain("quantile=");

    PrometheusMeterRegistry percentiles = runOneJob(JobMetrics.builder().percentiles(0.5, 0.95).build(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    for (Timer t : List.of(Meters.attemptTimer(percentiles, "ok", "completed"), Meters.queueWait(percentiles, "ok"))) {
      assertThat(t.takeSnapshot().percentileValues()).extracting(v -> v.percentile()).containsExactly(0.5, 0.95);
      assertThat(t.takeSnapshot().histogramCounts()).isEmpty();
    }
    // in Prometheus, percentiles alone make a summary with quantile labels
    assertThat(percentiles.scrape()).contains("asyncjobs_queue_wait_seconds{type=\"ok\",quantile=\"0.95\"}")
        .doesNotContain("asyncjobs_queue_wait_seconds_bucket");

    PrometheusMeterRegistry histogram = runOneJob(JobMetrics.builder().histogram(true).build(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    for (Timer t : List.of(Meters.attemptTimer(histogram, "ok", "completed"), Meters.queueWait(histogram, "ok"))) {
      HistogramSnapshot on = t.takeSnapshot();
      assertThat(on.histogramCounts()).as("histogram buckets").isNotEmpty();
      assertThat(on.histogramCounts()[on.histogramCounts().length - 1].bucket(java.util.concurrent.TimeUnit.SECONDS))
          .as("buckets reach an hour, for long generations").isEqualTo(3600);
    }
    assertThat(histogram.scrape())
        .contains("asyncjobs_attempt_duration_seconds_bucket{outcome=\"completed\",type=\"ok\",le=\"3600.0\"} 1")
        .contains("asyncjobs_queue_wait_seconds_bucket{type=\"ok\",le=\"+Inf\"} 1");
  }
}
