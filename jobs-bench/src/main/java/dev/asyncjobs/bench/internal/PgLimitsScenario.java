package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.Locale;

/**
 * What limits cost and how well a binding one is used, on PostgreSQL.
 *
 * <p>Not binding: pg-throughput's one worker process (concurrency 16, claims of 16) on the same
 * seed, without limits and with a limit on the no-op type that never binds (maxRunning alone, and
 * maxRunning with maxStarts and maxUnits, which write a ledger row per start), interleaved, the
 * best of each kept. Binding: a maxRunning of {@value #BOUND} on jobs that each take {@value
 * #ATTEMPT_MILLIS} ms, worked by two processes of concurrency 8 each; utilisation is the attempt
 * time done over what {@value #BOUND} slots could do from the first start to the last completion.
 */
final class PgLimitsScenario implements Scenario {
  /** The bound of the binding run. */
  static final int BOUND = 4;
  /** How long each job of the binding run takes. */
  static final long ATTEMPT_MILLIS = 50;
  private static final int SLEEPY_CONCURRENCY = 8;

  /** The no-op generator made slow: each job sleeps {@link #ATTEMPT_MILLIS} ms. */
  static NoopGenerator sleepy() {
    return new NoopGenerator(seq -> {
      try {
        Thread.sleep(ATTEMPT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  @Override
  public String name() {
    return "pg-limits";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(100_000, 10_000);
    int warm = Math.min(n, run.size(10_000, 2_000));
    try (ThroughputRig rig = new ThroughputRig(run, name())) {
      JobManager jobs = rig.manager();
      JobLimit running = JobLimit.builder(NoopGenerator.TYPE).maxRunning(100_000).build();
      JobLimit all = running.toBuilder().maxStarts(100_000_000, Duration.ofSeconds(1))
          .maxUnits(100_000_000_000L, Duration.ofSeconds(1)).build();
      run.progress("warm-up with " + warm + " jobs");
      rig.seed(warm);
      rig.runWorkers(1, null, 0);
      jobs.defineLimit(all);
      rig.runWorkers(1, null, 0);
      jobs.removeLimit(NoopGenerator.TYPE);

      rig.seed(n);
      double none = 0;
      double withRunning = 0;
      double withAll = 0;
      for (int round = 0; round < run.rounds(); round++) {
        none = Math.max(none, rig.runWorkers(1, null, 0));
        jobs.defineLimit(running);
        withRunning = Math.max(withRunning, rig.runWorkers(1, null, 0));
        jobs.defineLimit(all);
        withAll = Math.max(withAll, rig.runWorkers(1, null, 0));
        jobs.removeLimit(NoopGenerator.TYPE);
        run.progress(String.format(Locale.ROOT, "round %d: no limit %,.0f, maxRunning %,.0f, all three bounds %,.0f jobs/s",
            round + 1, none, withRunning, withAll));
      }
      run.record(Measurement.versus("jobs/s, 1 worker process, a maxRunning limit on the type that does not bind, vs no limit",
          "jobs/s", withRunning, none, "no limit", Target.ratioAtLeast(0.8)));
      run.record(Measurement.versus(
          "jobs/s, 1 worker process, maxRunning + maxStarts + maxUnits on the type, none binding, vs no limit",
          "jobs/s", withAll, none, "no limit", Target.ratioAtLeast(0.8)));

      int sleepyJobs = run.size(800, 200);
      double utilisation = binding(run, rig, sleepyJobs);
      run.record(Measurement.of("utilisation of a binding maxRunning of " + BOUND + " by 2 processes of concurrency "
          + SLEEPY_CONCURRENCY + " (" + ATTEMPT_MILLIS + " ms jobs)", "%", utilisation * 100, Target.atLeast(90)));
      run.note(name() + ": " + n + " no-op jobs per throughput run (best of " + run.rounds()
          + " interleaved runs), the seed of pg-throughput; the limits are defined through JobManager.defineLimit between"
          + " runs. Binding run: " + sleepyJobs + " jobs of " + ATTEMPT_MILLIS + " ms, maxRunning " + BOUND
          + ", this JVM and a second one, concurrency " + SLEEPY_CONCURRENCY + " each, default poll interval;"
          + " utilisation = jobs x " + ATTEMPT_MILLIS + " ms / (" + BOUND + " x the time from the first job's start to the last"
          + " one's completion, the database's clock).");
    }
  }

  /** The binding run: two processes against a maxRunning of {@link #BOUND}. {@return the utilisation, 0 to 1} */
  private static double binding(ScenarioRun run, ThroughputRig rig, int count) throws Exception {
    PostgresJobStore store = rig.store();
    try (JobManager sleepy = NoopGenerator.manager(store, sleepy());
        SecondWorkerProcess second = SecondWorkerProcess.start(
            rig.schema().server(), rig.schema().name(), SLEEPY_CONCURRENCY, SLEEPY_CONCURRENCY)) {
      sleepy.defineLimit(JobLimit.builder(NoopGenerator.TYPE).maxRunning(BOUND).build());
      rig.seed(count);
      rig.load(ThroughputRig.JOBS, 0);
      long t0 = System.nanoTime();
      second.startSleepyWorker();
      try (JobWorker mine = ThroughputRig.worker(sleepy, SLEEPY_CONCURRENCY, SLEEPY_CONCURRENCY).start()) {
        CompletionCounter.await(Duration.ofMinutes(10), rig.schema(), ThroughputRig.JOBS);
      } finally {
        second.stopWorker();
        sleepy.removeLimit(NoopGenerator.TYPE);
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      // The window in which the limit was what held the jobs back: from the first start to the last
      // completion, on the database's clock. The second JVM's worker start before it is not the
      // limit's to use.
      double window = rig.schema().count("SELECT (extract(epoch FROM max(finished_at) - min(started_at)) * 1000000)::bigint FROM "
          + rig.schema().table(ThroughputRig.JOBS)) / 1e6;
      double ideal = count * (ATTEMPT_MILLIS / 1000.0) / BOUND;
      run.progress(String.format(Locale.ROOT, "binding run: %d jobs in %.2f s from the first start to the last completion,"
          + " %.2f s from the workers' start (at best %.2f s)", count, window, wall, ideal));
      return ideal / window;
    }
  }
}
