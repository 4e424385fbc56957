package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.Job;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What claims that take owners in turn ({@code JobWorker.Builder.fairBetweenOwners}) cost and what
 * they buy, on PostgreSQL, each figure beside the plain claim measured on the same seed in the same
 * run:
 *
 * <ul>
 *   <li>the time of one claim of 16, fair and plain, with the pending jobs spread over 1 to 1,000
 *       owners (a single thread calling {@code claim} on the loaded seed), and fair without the
 *       owner index ({@code fairClaimIndex} off: {@code jobs_fair_scan});
 *   <li>pg-throughput's worker process (concurrency 16, claims of 16) draining jobs spread over 100
 *       and 1,000 owners, fair vs plain;
 *   <li>one owner's backlog, then another owner's {@value #LATE} jobs: how many of the backlog's jobs
 *       were claimed by the time the other owner's last one was, fair vs plain;
 *   <li>what the owner index that fair claims read costs every insert (createAll with it vs with it
 *       dropped) and a plain worker (pg-throughput's worker with it vs without it).
 * </ul>
 */
final class PgFairScenario implements Scenario {
  /** The jobs of the second owner, created after the backlog. */
  static final int LATE = 10;
  private static final int CLAIMS_TIMED = 200;
  private static final String INDEX = "jobs_pending_owner_idx";

  @Override
  public String name() {
    return "pg-fair";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(20_000, 5_000);
    try (ThroughputRig rig = new ThroughputRig(run, name())) {
      JobManager jobs = rig.manager();
      PostgresJobStore store = rig.store();
      String createIndex = PostgresJobStore.fairClaimIndexSql(rig.schema().name(), "");
      String dropIndex = "DROP INDEX " + rig.schema().table(INDEX);
      rig.schema().execute(createIndex); // what fairClaimIndex(true) builds

      for (int owners : new int[] {1, 10, 100, 1000}) {
        rig.seed(n, owners);
        double plain = Double.MAX_VALUE;
        double fair = Double.MAX_VALUE;
        double scan = Double.MAX_VALUE;
        for (int round = 0; round < run.rounds(); round++) {
          rig.load(ThroughputRig.JOBS, 0);
          plain = Math.min(plain, msPerClaim(store, false));
          rig.load(ThroughputRig.JOBS, 0);
          fair = Math.min(fair, msPerClaim(store, true));
          rig.schema().execute(dropIndex);
          rig.load(ThroughputRig.JOBS, 0);
          scan = Math.min(scan, msPerClaim(store, true));
          rig.schema().execute(createIndex);
        }
        String of = n + " pending jobs of " + owners + (owners == 1 ? " owner" : " owners");
        run.progress(String.format(Locale.ROOT, "%d owners: a claim of 16 takes %.2f ms fair, %.2f ms fair without the index,"
            + " %.2f ms plain", owners, fair, scan, plain));
        run.record(Measurement.versus("ms per claim of 16, fair vs plain, " + of, "ms", fair, plain, "plain claim"));
        run.record(Measurement.versus("ms per claim of 16, fair without the owner index vs plain, " + of, "ms", scan, plain,
            "plain claim"));
      }

      for (int owners : new int[] {100, 1000}) {
        rig.seed(n, owners);
        double plain = 0;
        double fair = 0;
        for (int round = 0; round < run.rounds(); round++) {
          rig.fairClaims(false);
          plain = Math.max(plain, rig.runWorkers(1, null, 0));
          rig.fairClaims(true);
          fair = Math.max(fair, rig.runWorkers(1, null, 0));
        }
        rig.fairClaims(false);
        run.progress(String.format(Locale.ROOT, "%d owners: %,.0f jobs/s fair, %,.0f plain", owners, fair, plain));
        run.record(Measurement.versus("jobs/s, 1 worker process, fair vs plain claims, jobs of " + owners + " owners",
            "jobs/s", fair, plain, "plain claims"));
      }

      int backlog = run.size(10_000, 2_000);
      rig.seedBy(backlog + LATE, () -> {
        Batches.createAll(jobs, 0, backlog, 1000);
        List<JobRequest> late = new ArrayList<>();
        for (int i = 0; i < LATE; i++) {
          late.add(Batches.request("owner-late", backlog + i));
        }
        jobs.createAll(late);
      });
      rig.fairClaims(false);
      rig.runWorkers(1, null, 0);
      long plainAhead = claimedAhead(rig);
      rig.fairClaims(true);
      rig.runWorkers(1, null, 0);
      long fairAhead = claimedAhead(rig);
      rig.fairClaims(false);
      run.record(Measurement.versus("backlog jobs claimed by the time another owner's " + LATE
          + " later jobs were, fair vs plain (backlog " + backlog + ")", "jobs", fairAhead, plainAhead, "plain claims"));

      double with = Double.MAX_VALUE;
      double without = Double.MAX_VALUE;
      double plainWith = 0;
      double plainWithout = 0;
      for (int round = 0; round < run.rounds(); round++) {
        with = Math.min(with, rig.seed(n, 100));
        plainWith = Math.max(plainWith, rig.runWorkers(1, null, 0));
        rig.schema().execute(dropIndex);
        without = Math.min(without, rig.seed(n, 100));
        plainWithout = Math.max(plainWithout, rig.runWorkers(1, null, 0));
        rig.schema().execute(createIndex);
      }
      run.record(Measurement.versus("jobs/s of createAll (batches of 1,000), with the owner index of fair claims vs without it",
          "jobs/s", n / with, n / without, "without the index"));
      run.record(Measurement.versus("jobs/s, 1 worker process, plain claims, jobs of 100 owners, with the owner index vs without it",
          "jobs/s", plainWith, plainWithout, "without the index"));

      run.note(name() + ": " + n + " pending no-op jobs per seed, owned in turn by the given number of owners; claim times"
          + " are the mean of " + CLAIMS_TIMED + " claims of 16 from one thread on the freshly loaded, vacuumed seed, each claim's"
          + " jobs completed (untimed) before the next claim (best of "
          + run.rounds() + "); throughput as pg-throughput (best of " + run.rounds() + " interleaved runs). Backlog run: "
          + backlog + " jobs of one owner, then " + LATE + " of another; counted: backlog jobs whose claim came no later than"
          + " the claim of the other owner's last job. Insert cost: the seed's createAll, and then a plain worker"
          + " draining it, timed with the owner index (jobs_pending_owner_idx, as fairClaimIndex(true) builds it) and without,"
          + " best of " + run.rounds() + "; the claim times without the index: the same claims with it dropped (jobs_fair_scan).");
    }
  }

  /**
   * {@return the mean milliseconds of one claim of 16 on the loaded seed} Each claim's jobs are
   * completed before the next claim, untimed, so that as few run at once as under a worker.
   */
  private static double msPerClaim(PostgresJobStore store, boolean fair) {
    ClaimRequest request = new ClaimRequest("bench-claims", Set.of(NoopGenerator.TYPE), 16, Duration.ofMinutes(10), fair);
    long nanos = 0;
    int claims = 0;
    while (claims < CLAIMS_TIMED) {
      long t0 = System.nanoTime();
      List<Job> claimed = store.claim(request);
      nanos += System.nanoTime() - t0;
      if (claimed.isEmpty()) {
        break;
      }
      claims++;
      for (Job j : claimed) {
        store.complete(new Completion(new Lease(j.id(), j.workerId(), j.attempts()), "{}", Duration.ofMillis(1)));
      }
    }
    if (claims == 0) {
      throw new IllegalStateException("nothing to claim");
    }
    return nanos / 1e6 / claims;
  }

  /** How many backlog jobs were claimed no later than the late owner's last job. */
  private static long claimedAhead(ThroughputRig rig) throws java.sql.SQLException {
    String jobs = rig.schema().table(ThroughputRig.JOBS);
    return rig.schema().count("SELECT count(*) FROM " + jobs + " WHERE owner_id = '" + Batches.OWNER + "' AND started_at <="
        + " (SELECT max(started_at) FROM " + jobs + " WHERE owner_id = 'owner-late')");
  }
}
