package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What limits cost and how well a binding one is used, on PostgreSQL.
 *
 * <p>Not binding: pg-throughput's one worker process (concurrency 16, claims of 16) on the same
 * seed, without limits and with a limit on the no-op type that never binds (maxRunning alone, and
 * maxRunning with maxStarts and maxUnits, which write a ledger row per start), in rounds that
 * rotate the order, the medians compared. Binding: a maxRunning of {@value #BOUND} on jobs that
 * each take {@value #SHORT_MILLIS} ms, then {@value #LONG_MILLIS} ms, worked by two processes of
 * concurrency 8 each; the first round, on a freshly started second JVM, is reported apart from the
 * steady ones; utilisation is the attempt time done over what {@value #BOUND} slots could do from
 * the first start to the last completion.
 */
final class PgLimitsScenario implements Scenario {
  /** The bound of the binding run. */
  static final int BOUND = 4;
  /** How long each job of the short binding run takes: far shorter than AI work, so that a gap shows. */
  static final long SHORT_MILLIS = 50;
  /** How long each job of the longer binding run takes. */
  static final long LONG_MILLIS = 250;
  private static final int SLEEPY_CONCURRENCY = 8;

  /** The no-op generator made slow: each job sleeps {@code millis} ms. */
  static NoopGenerator sleepy(long millis) {
    return new NoopGenerator(seq -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The binding runs' worker: pg-throughput's settings, keeping limit slots when {@code keep}. */
  static JobWorker.Builder sleepyWorker(JobManager jobs, int concurrency, boolean keep) {
    return JobWorker.builder(jobs).concurrency(concurrency).claimBatchSize(concurrency).keepLimitSlots(keep);
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
      // Paired rounds, each setting's place in the round rotated: the machine's speed drifts by
      // tens of percent between minutes, and the median of several rounds follows the settings
      // rather than the one lucky or unlucky run that a best-of keeps.
      int rounds = run.size(5, 1);
      double[] none = new double[rounds];
      double[] withRunning = new double[rounds];
      double[] withAll = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < 3; k++) {
          switch ((round + k) % 3) {
            case 0 -> none[round] = rig.runWorkers(1, null, 0);
            case 1 -> {
              jobs.defineLimit(running);
              withRunning[round] = rig.runWorkers(1, null, 0);
              jobs.removeLimit(NoopGenerator.TYPE);
            }
            default -> {
              jobs.defineLimit(all);
              withAll[round] = rig.runWorkers(1, null, 0);
              jobs.removeLimit(NoopGenerator.TYPE);
            }
          }
        }
        run.progress(String.format(Locale.ROOT, "round %d: no limit %,.0f, maxRunning %,.0f, all three bounds %,.0f jobs/s",
            round + 1, none[round], withRunning[round], withAll[round]));
      }
      run.record(Measurement.versus("jobs/s, 1 worker process, a maxRunning limit on the type that does not bind, vs no limit"
          + " (medians of " + rounds + " rounds)", "jobs/s", median(withRunning), median(none), "no limit", Target.ratioAtLeast(0.8)));
      run.record(Measurement.versus(
          "jobs/s, 1 worker process, maxRunning + maxStarts + maxUnits on the type, none binding, vs no limit (medians of "
              + rounds + " rounds)", "jobs/s", median(withAll), median(none), "no limit", Target.ratioAtLeast(0.8)));

      int shortJobs = run.size(1_500, 200);
      int longJobs = run.size(200, 60);
      int warmJobs = run.size(1_600, 100);
      binding(run, rig, warmJobs, shortJobs, longJobs);
      run.note(name() + ": " + n + " no-op jobs per throughput run, the seed of pg-throughput; " + rounds + " rounds, each"
          + " running the three settings in a rotated order, the medians compared; the limits are defined through"
          + " JobManager.defineLimit between runs. Binding runs: maxRunning " + BOUND + ", this JVM and a second one,"
          + " concurrency " + SLEEPY_CONCURRENCY + " each, default poll interval; first " + warmJobs + " jobs of "
          + SHORT_MILLIS + " ms on the freshly started second JVM (" + warmJobs * SHORT_MILLIS / BOUND / 1000
          + " s at best, reported apart: a service runs for hours), then twice " + shortJobs + " of " + SHORT_MILLIS
          + " ms without and with keepLimitSlots(true) on both workers, alternating, and " + longJobs + " of "
          + LONG_MILLIS + " ms; utilisation = jobs x their time / (" + BOUND + " x the time from the first job's start to"
          + " the last one's completion, as the workers stamped them), summed over a setting's rounds; the idle time per"
          + " job is what is left of that, over the jobs.");
    }
  }

  /**
   * The binding runs: two processes against a maxRunning of {@link #BOUND}, first {@code warm} jobs
   * unmeasured, then {@code shortJobs} of {@link #SHORT_MILLIS} ms and {@code longJobs} of {@link
   * #LONG_MILLIS} ms, in the same two JVMs.
   */
  private static void binding(ScenarioRun run, ThroughputRig rig, int warm, int shortJobs, int longJobs) throws Exception {
    try (SecondWorkerProcess second = SecondWorkerProcess.start(
        rig.schema().server(), rig.schema().name(), SLEEPY_CONCURRENCY, SLEEPY_CONCURRENCY)) {
      rig.manager().defineLimit(JobLimit.builder(NoopGenerator.TYPE).maxRunning(BOUND).build());
      try {
        // The second JVM starts here. Its first jobs run beside its JIT compiler, which on two
        // cores takes the CPU that the round trips need: shown apart, not as the steady figure.
        Round fresh = bindingRound(run, rig, second, warm, SHORT_MILLIS, false, "fresh second JVM");
        Round plain = Round.NONE;
        Round kept = Round.NONE;
        for (int i = 0; i < 2; i++) {
          plain = plain.plus(bindingRound(run, rig, second, shortJobs, SHORT_MILLIS, false, "binding run"));
          kept = kept.plus(bindingRound(run, rig, second, shortJobs, SHORT_MILLIS, true, "binding run, keepLimitSlots"));
        }
        Round slow = bindingRound(run, rig, second, longJobs, LONG_MILLIS, false, "binding run");
        run.record(Measurement.of("utilisation of a binding maxRunning of " + BOUND + " by 2 processes of concurrency "
            + SLEEPY_CONCURRENCY + " (" + SHORT_MILLIS + " ms jobs), the first " + fresh.jobs() + " jobs of a freshly"
            + " started second JVM", "%", fresh.utilisation() * 100));
        for (Round r : List.of(plain, kept, slow)) {
          run.record(Measurement.of("utilisation of a binding maxRunning of " + BOUND + " by 2 processes of concurrency "
              + SLEEPY_CONCURRENCY + " (" + r.millis() + " ms jobs" + (r.keep() ? ", keepLimitSlots" : "") + ")", "%",
              r.utilisation() * 100, Target.atLeast(90)));
        }
        for (Round r : List.of(plain, kept)) {
          run.record(Measurement.of("slot idle per job under that binding maxRunning (" + SHORT_MILLIS + " ms jobs"
              + (r.keep() ? ", keepLimitSlots" : "") + ")", "ms", r.idleMillisPerJob()));
        }
      } finally {
        rig.manager().removeLimit(NoopGenerator.TYPE);
      }
    }
  }

  /** The median of {@code values}: the mean of the middle two for an even count. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** What one binding round measured. */
  private record Round(long millis, boolean keep, int jobs, double windowSeconds) {
    /** Nothing measured yet: what {@link #plus} starts from. */
    static final Round NONE = new Round(0, false, 0, 0);

    /** This round and {@code other} (of the same setting) together. */
    Round plus(Round other) {
      return new Round(other.millis, other.keep, jobs + other.jobs, windowSeconds + other.windowSeconds);
    }

    double utilisation() {
      return jobs * (millis / 1000.0) / BOUND / windowSeconds;
    }

    /** How long a slot stood empty or was held beyond the attempt, per job. */
    double idleMillisPerJob() {
      return (BOUND * windowSeconds * 1000 - jobs * (double) millis) / jobs;
    }
  }

  /** One round of {@link #binding}: seeds {@code count} jobs of {@code millis} ms, works them with both processes. */
  private static Round bindingRound(ScenarioRun run, ThroughputRig rig, SecondWorkerProcess second, int count, long millis,
      boolean keep, String what) throws Exception {
    rig.seed(count);
    rig.load(ThroughputRig.JOBS, 0);
    long t0 = System.nanoTime();
    second.startSleepyWorker(millis, keep);
    try (JobManager sleepy = NoopGenerator.manager(rig.store(), sleepy(millis));
        JobWorker mine = sleepyWorker(sleepy, SLEEPY_CONCURRENCY, keep).build().start()) {
      CompletionCounter.await(Duration.ofMinutes(10), rig.schema(), ThroughputRig.JOBS);
    } finally {
      second.stopWorker();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    // The window in which the limit was what held the jobs back: from the first start to the last
    // completion, on the database's clock. The second JVM's worker start before it is not the
    // limit's to use.
    double window = rig.schema().count("SELECT (extract(epoch FROM max(finished_at) - min(started_at)) * 1000000)::bigint FROM "
        + rig.schema().table(ThroughputRig.JOBS)) / 1e6;
    // How long each job held its slot as the database saw it (from the claim's start to the
    // completion's), against the attempt's own time; what is left of the window is idle slots.
    double held = rig.schema().count("SELECT (avg(extract(epoch FROM finished_at - started_at)) * 1000000)::bigint FROM "
        + rig.schema().table(ThroughputRig.JOBS)) / 1e3;
    run.progress(String.format(Locale.ROOT, "%s: %d jobs of %d ms in %.2f s from the first start to the last completion,"
        + " %.2f s from the workers' start (at best %.2f s); a job held its slot %.2f ms on average",
        what, count, millis, window, wall, count * (millis / 1000.0) / BOUND, held));
    return new Round(millis, keep, count, window);
  }
}
