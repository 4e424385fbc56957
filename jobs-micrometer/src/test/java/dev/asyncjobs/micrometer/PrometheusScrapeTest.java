package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.IMMEDIATE;
import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.count;
import static dev.asyncjobs.micrometer.Meters.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A scrape through Micrometer's Prometheus registry shows every documented meter under its
 * Prometheus name ({@code asyncjobs_jobs_completed_total} and so on) with its {@code type} or
 * {@code limit} tag, and the values of real jobs and limits.
 */
class PrometheusScrapeTest {

  @Test
  void theExpositionTextHasTheDocumentedNamesWithTheirTypeTags() throws Exception {
    MutableClock clock = new MutableClock();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch slowStarted = new CountDownLatch(1);
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JobMetrics metrics = JobMetrics.builder().refreshExecutor(Runnable::run).histogram(true).build();
    WatchedStore watched = new WatchedStore(new InMemoryJobStore(clock));
    try (JobManager jobs = JobManager.builder().store(watched.store()).interceptor(metrics)
        .generator(new Scripted("image", (step, ctx) -> {
          if (ctx.attempt() == 1) {
            throw new RetryableGenerationException("rate limited");
          }
          return "a picture";
        }))
        .generator(new Scripted("text", (step, ctx) -> {
          throw new PermanentGenerationException("refused");
        }))
        .generator(new Scripted("video", (step, ctx) -> {
          slowStarted.countDown();
          release.await();
          return "a film";
        }))
        .generator(new Scripted("music", (step, ctx) -> "never claimed"))
        .build()) {
      metrics.monitor(jobs);
      metrics.bindTo(prometheus);
      JobWorker worker = JobWorker.builder(jobs).types(Set.of("image", "text", "video")).listener(metrics)
          .retryPolicy(IMMEDIATE).leaseDuration(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).build().start();
      try {
        create(jobs, "image");
        create(jobs, "text");
        create(jobs, "video");
        create(jobs, "music");
        create(jobs, "music");
        assertThat(slowStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Waits.until("image retried and text failed", WAIT,
            () -> count(prometheus, "retried", "image") == 1 && count(prometheus, "failed", "text") == 1);
        clock.advance(Duration.ofSeconds(1)); // the retry's run time comes
        Waits.until("image completed", WAIT, () -> count(prometheus, "completed", "image") == 1);
        watched.failClaims = true;
        Waits.until("a claim error", WAIT, () -> Meters.storeErrors(prometheus, "claim") >= 1);
        watched.failClaims = false;
        clock.advance(Duration.ofSeconds(30)); // the gauges' next read; the music jobs have waited 31 s

        String text = prometheus.scrape();

        for (String type : List.of("image", "text", "video", "music")) {
          for (String counter : Meters.counterNames()) {
            String name = "asyncjobs_jobs_" + counter.replace('.', '_') + "_total";
            assertThat(text).as(name + " of " + type).contains(name + "{type=\"" + type + "\"}");
          }
          for (String gauge : List.of("asyncjobs_jobs_pending", "asyncjobs_jobs_due", "asyncjobs_jobs_running",
              "asyncjobs_queue_oldest_due_age_seconds")) {
            assertThat(text).as(gauge + " of " + type).contains(gauge + "{type=\"" + type + "\"}");
          }
          for (String outcome : List.of("completed", "failed", "retried", "cancelled", "timed_out")) {
            assertThat(text).contains("asyncjobs_attempt_duration_seconds_count{outcome=\"" + outcome + "\",type=\"" + type + "\"}");
          }
          assertThat(text).contains("asyncjobs_queue_wait_seconds_count{type=\"" + type + "\"}");
        }
        assertThat(text).contains("# TYPE asyncjobs_jobs_completed_total counter")
            .contains("# HELP asyncjobs_jobs_completed_total Jobs this process's workers completed")
            .contains("# TYPE asyncjobs_jobs_pending gauge")
            .contains("# TYPE asyncjobs_attempt_duration_seconds histogram");
        assertLine(text, "asyncjobs_jobs_submitted_total{type=\"music\"}", 2);
        assertLine(text, "asyncjobs_jobs_started_total{type=\"image\"}", 2);
        assertLine(text, "asyncjobs_jobs_retried_total{type=\"image\"}", 1);
        assertLine(text, "asyncjobs_jobs_completed_total{type=\"image\"}", 1);
        assertLine(text, "asyncjobs_jobs_failed_total{type=\"text\"}", 1);
        assertLine(text, "asyncjobs_attempt_duration_seconds_count{outcome=\"retried\",type=\"image\"}", 1);
        assertLine(text, "asyncjobs_jobs_pending{type=\"music\"}", 2);
        assertLine(text, "asyncjobs_jobs_due{type=\"music\"}", 2);
        assertLine(text, "asyncjobs_jobs_running{type=\"video\"}", 1);
        assertLine(text, "asyncjobs_queue_oldest_due_age_seconds{type=\"music\"}", 31);
        assertThat(text).contains("asyncjobs_store_errors_total{operation=\"claim\"}");
        // no name loses its meaning to Prometheus' reserved suffixes (a "created" counter would be asyncjobs_jobs_total)
        assertThat(text).doesNotContain("asyncjobs_jobs_total");
        assertThat(text).contains("asyncjobs_attempt_duration_seconds_bucket{outcome=\"completed\",type=\"image\",le=\"");
      } finally {
        release.countDown();
        worker.close();
      }
    }
  }

  @Test
  void theLimitGaugesAndTheRateLimitedCounterUnderTheirPrometheusNames() {
    MutableClock clock = new MutableClock();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JobMetrics metrics = JobMetrics.builder().refreshExecutor(Runnable::run).build();
    try (InMemoryJobStore store = new InMemoryJobStore(clock);
        JobManager jobs = JobManager.builder().store(store).interceptor(metrics)
            .generator(new Scripted("render", (step, ctx) -> {
              throw new RateLimitedException("acme:render", Duration.ofSeconds(30));
            }).withResources(5, "acme:render"))
            .build()) {
      jobs.defineLimit(Meters.everyBound("acme:render"));
      jobs.pause("music");
      metrics.monitor(jobs);
      metrics.bindTo(prometheus);
      create(jobs, "render");
      JobWorker.builder(jobs).listener(metrics).buildManual().runNext();
      clock.advance(Duration.ofSeconds(10)); // the gauges' next read

      String text = prometheus.scrape();

      assertLine(text, "asyncjobs_jobs_rate_limited_total{type=\"render\"}", 1);
      assertLine(text, "asyncjobs_limit_running{limit=\"acme:render\"}", 0);
      assertLine(text, "asyncjobs_limit_waiting{limit=\"acme:render\"}", 1);
      assertLine(text, "asyncjobs_limit_starts_in_window{limit=\"acme:render\"}", 1);
      assertLine(text, "asyncjobs_limit_units_in_window{limit=\"acme:render\"}", 0); // a refused request frees its units
      assertLine(text, "asyncjobs_limit_paused{limit=\"acme:render\"}", 0);
      assertLine(text, "asyncjobs_limit_paused{limit=\"music\"}", 1);
      assertLine(text, "asyncjobs_limit_backoff_remaining_seconds{limit=\"acme:render\"}", 20);
      assertLine(text, "asyncjobs_limit_max_running{limit=\"acme:render\"}", 2);
      assertLine(text, "asyncjobs_limit_max_starts{limit=\"acme:render\"}", 10);
      assertLine(text, "asyncjobs_limit_max_units{limit=\"acme:render\"}", 100);
      assertThat(text).contains("# TYPE asyncjobs_limit_backoff_remaining_seconds gauge")
          .contains("# HELP asyncjobs_limit_running Attempts running under the limit name")
          .contains("# TYPE asyncjobs_jobs_rate_limited_total counter")
          .doesNotContain("asyncjobs_limit_max_running{limit=\"music\"}");
    }
  }

  /** The exposition has {@code series value} with that value, written as Prometheus does ({@code 2.0}). */
  private static void assertLine(String text, String series, double value) {
    Pattern line = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE);
    var m = line.matcher(text);
    assertThat(m.find()).as(series + " in:\n" + text).isTrue();
    assertThat(Double.parseDouble(m.group(1))).as(series).isEqualTo(value);
  }
}
