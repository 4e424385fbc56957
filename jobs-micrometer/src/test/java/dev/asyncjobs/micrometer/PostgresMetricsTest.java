package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.IMMEDIATE;
import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.attempts;
import static dev.asyncjobs.micrometer.Meters.count;
import static dev.asyncjobs.micrometer.Meters.create;
import static dev.asyncjobs.micrometer.Meters.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same meters over the PostgreSQL store, on a real worker: counters and timers of completed,
 * retried and failed jobs, and gauges of queued and running jobs read from the database with the
 * default (background) refresh, scraped through the Prometheus registry.
 */
class PostgresMetricsTest {
  @RegisterExtension static final PostgresSchema schema = new PostgresSchema();

  @Test
  void countersTimersAndGaugesOverPostgres() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch heldStarted = new CountDownLatch(1);
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JobMetrics metrics = JobMetrics.builder().refreshInterval(Duration.ofMillis(100)).build();
    try (PostgresJobStore store = PostgresJobStore.builder().dataSource(schema.dataSource()).schema(schema.name()).build();
        JobManager jobs = JobManager.builder().store(store).interceptor(metrics)
            .generator(new Scripted("ok", (step, ctx) -> "done"))
            .generator(new Scripted("flaky", (step, ctx) -> {
              if (ctx.attempt() == 1) {
                throw new RetryableGenerationException("busy");
              }
              return "done";
            }))
            .generator(new Scripted("broken", (step, ctx) -> {
              throw new PermanentGenerationException("never");
            }))
            .generator(new Scripted("held", (step, ctx) -> {
              heldStarted.countDown();
              release.await();
              return "done";
            }))
            .generator(new Scripted("parked", (step, ctx) -> "no worker claims this type"))
            .build()) {
      metrics.monitor(jobs);
      metrics.bindTo(prometheus);
      JobWorker worker = JobWorker.builder(jobs).types(Set.of("ok", "flaky", "broken", "held")).listener(metrics)
          .retryPolicy(IMMEDIATE).build().start();
      try {
        create(jobs, "ok");
        create(jobs, "ok");
        create(jobs, "flaky");
        create(jobs, "broken");
        create(jobs, "held");
        for (int i = 0; i < 3; i++) {
          create(jobs, "parked");
        }
        assertThat(heldStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("held job started").isTrue();
        Waits.until("completed, retried and failed counted", WAIT,
            () -> count(prometheus, "completed", "ok") == 2 && count(prometheus, "completed", "flaky") == 1
                && count(prometheus, "failed", "broken") == 1,
            prometheus::scrape);
        assertThat(count(prometheus, "submitted", "parked")).isEqualTo(3);
        assertThat(count(prometheus, "retried", "flaky")).isEqualTo(1);
        assertThat(count(prometheus, "started", "flaky")).isEqualTo(2);
        assertThat(attempts(prometheus, "flaky", "retried")).isEqualTo(1);
        assertThat(attempts(prometheus, "broken", "failed")).isEqualTo(1);
        assertThat(Meters.queueWait(prometheus, "ok").count()).isEqualTo(2);

        // the gauges catch up within a refresh interval or two; each scrape answers at once
        Waits.until("gauges of the queue", WAIT,
            () -> gauge(prometheus, "asyncjobs.jobs.pending", "parked") == 3
                && gauge(prometheus, "asyncjobs.jobs.due", "parked") == 3
                && gauge(prometheus, "asyncjobs.jobs.running", "held") == 1,
            prometheus::scrape);
        assertThat(gauge(prometheus, "asyncjobs.jobs.running", "parked")).isZero();
        assertThat(gauge(prometheus, "asyncjobs.jobs.pending", "ok")).isZero();
        assertThat(gauge(prometheus, "asyncjobs.queue.oldest.due.age", "parked")).isGreaterThanOrEqualTo(0);

        String text = prometheus.scrape();
        assertThat(text).contains("asyncjobs_jobs_completed_total{type=\"ok\"} 2")
            .contains("asyncjobs_jobs_failed_total{type=\"broken\"} 1")
            .contains("asyncjobs_jobs_pending{type=\"parked\"} 3")
            .contains("asyncjobs_jobs_running{type=\"held\"} 1")
            .contains("asyncjobs_queue_oldest_due_age_seconds{type=\"parked\"}")
            .contains("asyncjobs_attempt_duration_seconds_count{outcome=\"retried\",type=\"flaky\"} 1");

        release.countDown();
        Waits.until("the held job done and no longer running", WAIT,
            () -> count(prometheus, "completed", "held") == 1 && gauge(prometheus, "asyncjobs.jobs.running", "held") == 0,
            prometheus::scrape);
      } finally {
        release.countDown();
        worker.close();
      }
    }
  }
}
