package dev.asyncjobs.bench.internal;

/** pg-throughput's one-worker run again with many finished jobs in the table; ratio to the empty table. */
final class PgHistoryScenario implements Scenario {
  @Override
  public String name() {
    return "pg-history";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(100_000, 10_000);
    int history = run.size(1_000_000, 100_000);
    int warm = Math.min(n, run.size(10_000, 2_000));
    try (ThroughputRig rig = new ThroughputRig(run, name())) {
      run.progress("warm-up with " + warm + " jobs");
      rig.seed(warm);
      rig.runWorkers(1, null, 0);
      rig.seed(n);
      double empty = 0;
      double full = 0;
      for (int round = 0; round < run.rounds(); round++) {
        empty = Math.max(empty, rig.runWorkers(1, null, 0));
        full = Math.max(full, rig.runWorkers(1, null, history));
        run.progress(String.format(java.util.Locale.ROOT, "round %d: empty %,.0f, with history %,.0f jobs/s", round + 1, empty, full));
      }
      run.record(Measurement.versus(
          String.format(java.util.Locale.ROOT, "jobs/s, 1 worker, %,d finished jobs in the table vs empty table", history),
          "jobs/s", full, empty, "empty table", Target.ratioAtLeast(0.9)));
      run.note(name() + ": " + n + " jobs per run, best of " + run.rounds() + " interleaved runs each; " + history + " finished jobs made by one INSERT … SELECT generate_series.");
    }
  }
}
