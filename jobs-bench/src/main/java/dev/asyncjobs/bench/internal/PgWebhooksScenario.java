package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.webhooks.Webhooks;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What the webhook dispatcher costs the workers when it is installed and no job names a callback
 * URL (the case of every job that does not ask for a webhook), on PostgreSQL: pg-throughput's
 * worker process (concurrency 16, claims of 16) draining the same seed with the dispatcher among
 * its tasks and without it, interleaved in the same run; and how long after the last completion
 * the dispatcher has read every event of the drain (its lag behind a worker at full speed).
 */
final class PgWebhooksScenario implements Scenario {
  private static final Duration LIMIT = Duration.ofMinutes(10);
  private static final String ROW = "asyncjobs.webhooks";

  @Override
  public String name() {
    return "pg-webhooks";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  /** One drain: its jobs/s, and the dispatcher's lag in seconds (0 without it). */
  private record Drain(double jobsPerSecond, double lagSeconds) {}

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(50_000, 10_000);
    try (ThroughputRig rig = new ThroughputRig(run, name());
        Webhooks webhooks = Webhooks.builder().secrets(owner -> List.of()).build();
        JobManager hooked = webhooks.register(JobManager.builder().store(rig.store()))
            .generator(new NoopGenerator()).quotaPolicy(QuotaPolicy.unlimited()).build()) {
      rig.seed(n, 100);
      double plain = 0;
      double with = 0;
      double lag = Double.MAX_VALUE;
      for (int round = 0; round < run.rounds(); round++) {
        plain = Math.max(plain, drain(rig, rig.manager(), null).jobsPerSecond());
        Drain d = drain(rig, hooked, webhooks);
        with = Math.max(with, d.jobsPerSecond());
        lag = Math.min(lag, d.lagSeconds());
      }
      run.progress(String.format(Locale.ROOT, "%,.0f jobs/s with the dispatcher, %,.0f without; it had read every event"
          + " %.2f s after the last completion", with, plain, lag));
      run.record(Measurement.versus("jobs/s, 1 worker process with the webhook dispatcher (no job names a URL) vs without",
          "jobs/s", with, plain, "without the dispatcher"));
      run.record(Measurement.of("s from the last completion until the webhook dispatcher had read every event of "
          + n + " jobs", "s", lag));
      run.note(name() + ": " + n + " pending no-op jobs of 100 owners per drain, none with a callback URL, drained by one"
          + " worker (concurrency 16, claims of 16) with the dispatcher (dispatchInterval 1 s, schedulePollInterval 1 s, the"
          + " defaults) and without, interleaved, best of " + run.rounds() + "; the dispatcher reads every final event's job"
          + " once. Lag: from the drain's end until the dispatcher's saved cursor reached the newest event, best of "
          + run.rounds() + ".");
    }
  }

  private static Drain drain(ThroughputRig rig, JobManager manager, @Nullable Webhooks webhooks) throws Exception {
    BenchSchema schema = rig.schema();
    rig.load(ThroughputRig.JOBS, 0);
    // A cursor from the previous drain would point past the emptied log: start each drain afresh.
    schema.execute("DELETE FROM " + schema.table("jobs_schedules") + " WHERE name = '" + ROW + "'");
    JobWorker.Builder builder = JobWorker.builder(manager).concurrency(ThroughputRig.CONCURRENCY)
        .claimBatchSize(ThroughputRig.BATCH);
    if (webhooks != null) {
      builder.task(webhooks.dispatcher(manager));
    }
    try (JobWorker worker = builder.build()) {
      long t0 = System.nanoTime();
      worker.start();
      CompletionCounter.await(LIMIT, schema, ThroughputRig.JOBS);
      long done = System.nanoTime();
      double jobsPerSecond = Timing.perSecond(n(schema), done - t0);
      if (webhooks == null) {
        return new Drain(jobsPerSecond, 0);
      }
      String behind = "SELECT CASE WHEN coalesce((SELECT state::bigint FROM " + schema.table("jobs_schedules")
          + " WHERE name = '" + ROW + "'), -1) < (SELECT max(seq) FROM " + schema.table("jobs_events") + ") THEN 1 ELSE 0 END";
      CompletionCounter.awaitNone(LIMIT, schema, behind);
      return new Drain(jobsPerSecond, (System.nanoTime() - done) / 1e9);
    }
  }

  private static long n(BenchSchema schema) throws java.sql.SQLException {
    return schema.count("SELECT count(*) FROM " + schema.table(ThroughputRig.JOBS));
  }
}
