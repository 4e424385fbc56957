package dev.asyncjobs.micrometer;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.Job;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.tck.WorkerContractSupport.Step;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;

/** Reads this module's meters from a registry by their documented names, and small job helpers. */
final class Meters {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final RetryPolicy IMMEDIATE = RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(1));
  static final String OWNER = "alice";
  static final List<String> QUEUE_GAUGES =
      List.of("asyncjobs.jobs.pending", "asyncjobs.jobs.due", "asyncjobs.jobs.running", "asyncjobs.queue.oldest.due.age");
  static final List<String> LIMIT_GAUGES = List.of("asyncjobs.limit.running", "asyncjobs.limit.waiting",
      "asyncjobs.limit.starts.in.window", "asyncjobs.limit.units.in.window", "asyncjobs.limit.paused",
      "asyncjobs.limit.backoff.remaining", "asyncjobs.limit.max.running", "asyncjobs.limit.max.starts",
      "asyncjobs.limit.max.units");

  private Meters() {}

  /** {@return the counter {@code asyncjobs.jobs.<what>} of {@code type}; fails when it is not registered} */
  static double count(MeterRegistry registry, String what, String type) {
    Counter c = registry.get("asyncjobs.jobs." + what).tag("type", type).counter();
    return c.count();
  }

  /** {@return how many attempts of {@code type} ended with {@code outcome}} */
  static long attempts(MeterRegistry registry, String type, String outcome) {
    return attemptTimer(registry, type, outcome).count();
  }

  static Timer attemptTimer(MeterRegistry registry, String type, String outcome) {
    return registry.get("asyncjobs.attempt.duration").tag("type", type).tag("outcome", outcome).timer();
  }

  static Timer queueWait(MeterRegistry registry, String type) {
    return registry.get("asyncjobs.queue.wait").tag("type", type).timer();
  }

  static double storeErrors(MeterRegistry registry, String operation) {
    Counter c = registry.find("asyncjobs.store.errors").tag("operation", operation).counter();
    return c == null ? 0 : c.count();
  }

  /** {@return the gauge {@code name} of {@code type}; reading it is a scrape} */
  static double gauge(MeterRegistry registry, String name, String type) {
    return registry.get(name).tag("type", type).gauge().value();
  }

  /** {@return the gauge {@code name} of the limit {@code limit}; reading it is a scrape} */
  static double limitGauge(MeterRegistry registry, String name, String limit) {
    return registry.get(name).tag("limit", limit).gauge().value();
  }

  /** {@return a limit on {@code name} with all three bounds: 2 running, 10 starts and 100 units a minute} */
  static JobLimit everyBound(String name) {
    return JobLimit.builder(name).maxRunning(2).maxStarts(10, Duration.ofMinutes(1)).maxUnits(100, Duration.ofMinutes(1))
        .build();
  }

  /** Reads every gauge of the registry once, as a scrape does. */
  static void scrape(MeterRegistry registry) {
    registry.getMeters().stream().filter(m -> m instanceof Gauge).forEach(m -> ((Gauge) m).value());
  }

  static Job create(JobManager jobs, String type) {
    return jobs.create(JobRequest.builder(OWNER, type).payloadOf(new Step(1)).build());
  }

  static Job create(JobManager jobs, String type, int maxAttempts) {
    return jobs.create(JobRequest.builder(OWNER, type).payloadOf(new Step(1)).maxAttempts(maxAttempts).build());
  }

  static List<String> counterNames() {
    return List.of("submitted", "started", "completed", "failed", "retried", "cancelled", "timed.out", "rescued",
        "lease.lost", "released", "rate.limited");
  }
}
