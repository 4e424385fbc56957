package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.Locale;

/**
 * The way a user's program starts: a freshly migrated schema, {@code createAll} of N jobs, a worker
 * (concurrency 16, claims of 16) started at once, with no VACUUM, ANALYZE or CHECKPOINT anywhere,
 * against the same worker on a vacuumed, checkpointed table of the same N jobs in the same run. Up to
 * V5 the claim's plan followed the table's statistics, which a fresh table does not have yet.
 */
final class PgColdScenario implements Scenario {
  private static final Duration LIMIT = Duration.ofMinutes(10);

  @Override
  public String name() {
    return "pg-cold";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(100_000, 20_000);
    double cold = 0;
    double settled = 0;
    // Interleaved, the best of each kept (other load slows a run down, never speeds it up).
    for (int round = 0; round < run.rounds(); round++) {
      cold = Math.max(cold, coldRun(run, n));
      try (ThroughputRig rig = new ThroughputRig(run, name())) {
        rig.seed(n);
        settled = Math.max(settled, rig.runWorkers(1, null, 0));
      }
      run.progress(String.format(Locale.ROOT, "round %d: settled %,.0f, cold %,.0f jobs/s", round + 1, settled, cold));
    }
    run.record(Measurement.versus(
        "jobs/s, 1 worker started at once on a freshly migrated schema after createAll (no VACUUM/ANALYZE/CHECKPOINT)"
            + " vs the same on a vacuumed, checkpointed table",
        "jobs/s", cold, settled, "settled table", Target.ratioAtLeast(0.8)));
    run.note(name() + ": " + n + " jobs per run, best of " + run.rounds() + " interleaved runs; each cold run in a schema"
        + " migrated for it, autovacuum at the server's defaults.");
  }

  /** One cold run in a schema of its own. @return jobs per second from the worker's start to the last completion */
  private static double coldRun(ScenarioRun run, int n) throws Exception {
    try (BenchSchema schema = run.pg().newSchema("pg-cold", 20)) {
      PostgresJobStore store = schema.store();
      JobManager jobs = NoopGenerator.manager(store, new NoopGenerator());
      try {
        Batches.createAll(jobs, 0, n, 1000);
        long t0 = System.nanoTime();
        try (JobWorker worker = ThroughputRig.worker(jobs, ThroughputRig.CONCURRENCY, ThroughputRig.BATCH).start()) {
          CompletionCounter.await(LIMIT, schema, ThroughputRig.JOBS);
          return Timing.perSecond(n, System.nanoTime() - t0);
        }
      } finally {
        jobs.close();
        store.close();
      }
    }
  }
}
