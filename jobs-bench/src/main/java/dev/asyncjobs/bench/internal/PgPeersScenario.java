package dev.asyncjobs.bench.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The same no-op workload through asyncjobs, db-scheduler and JobRunr, interleaved in one run, each
 * in a schema of its own on the same server with a pool of the same size: a batch enqueue of N
 * jobs, the drain of those N (until every completion is committed), and pickup latency of single
 * creates, in the drain's configuration and, for the peers, with their defaults.
 */
final class PgPeersScenario implements Scenario {
  /** Every library's HikariCP pool (the same settings from {@link PgServer#newSchema}). */
  private static final int POOL = 20;
  private static final int BATCH = 1000;
  private static final long GAP_NANOS = Duration.ofMillis(20).toNanos();
  /** Jobs made before each pickup measurement's workers start, and waited for: see {@link #pickup}. */
  private static final int PICKUP_WARM = 5;
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(10);
  private static final Duration START_LIMIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return "pg-peers";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int n = run.size(50_000, 2_000);
    int warm = run.size(5_000, 500);
    int singles = run.size(200, 30);
    int slowSingles = run.size(40, 10);
    StartProbe probe = new StartProbe();
    PgServer pg = run.pg();
    // Closed in reverse order, each stopping what is left and dropping its schema, also on failure.
    try (AsyncjobsPeer ours = new AsyncjobsPeer(pg, POOL, probe);
        DbSchedulerPeer dbScheduler = new DbSchedulerPeer(pg, POOL, probe);
        JobRunrPeer jobRunr = new JobRunrPeer(pg, POOL, probe)) {
      List<PeerLibrary> libraries = List.of(ours, dbScheduler, jobRunr);
      run.progress("warm-up: " + warm + " jobs enqueued and drained by each library");
      for (PeerLibrary lib : libraries) {
        enqueueAndDrain(probe, lib, warm);
      }

      double[] enqueue = new double[libraries.size()];
      double[] drain = new double[libraries.size()];
      // Interleaved and the best of each kept: other load only ever slows a run down.
      for (int round = 0; round < run.rounds(); round++) {
        for (int i = 0; i < libraries.size(); i++) {
          double[] r = enqueueAndDrain(probe, libraries.get(i), n);
          enqueue[i] = Math.max(enqueue[i], r[0]);
          drain[i] = Math.max(drain[i], r[1]);
          run.progress(String.format(Locale.ROOT, "round %d, %s: enqueue %,.0f jobs/s, drain %,.0f jobs/s",
              round + 1, libraries.get(i).name(), r[0], r[1]));
        }
      }
      String batches = String.format(Locale.ROOT, "jobs/s, batch enqueue of %,d no-op jobs, 1,000 a call: asyncjobs createAll vs ", n);
      run.record(Measurement.versus(batches + "db-scheduler scheduleBatch", "jobs/s", enqueue[0], enqueue[1],
          dbScheduler.name() + " scheduleBatch", Target.ratioAtLeast(1.0)));
      run.record(Measurement.versus(batches + "JobRunr enqueue(Stream)", "jobs/s", enqueue[0], enqueue[2],
          jobRunr.name() + " enqueue(Stream)", Target.ratioAtLeast(1.0)));
      String drains = String.format(Locale.ROOT,
          "jobs/s, drain of %,d no-op jobs until every completion is committed: asyncjobs worker (concurrency 16, claims of 16) vs ", n);
      run.record(Measurement.versus(drains + "db-scheduler (16 threads, lock-and-fetch 1.0, 4.0)", "jobs/s", drain[0], drain[1],
          dbScheduler.name() + ", 16 threads, lock-and-fetch 1.0, 4.0", Target.ratioAtLeast(1.2)));
      run.record(Measurement.versus(drains + "JobRunr (16 workers, poll 5 s)", "jobs/s", drain[0], drain[2],
          jobRunr.name() + ", 16 workers, poll 5 s", Target.ratioAtLeast(2.0)));

      Percentiles[] tuned = new Percentiles[libraries.size()];
      for (int round = 0; round < run.rounds(); round++) {
        for (int i = 0; i < libraries.size(); i++) {
          Percentiles p = pickup(run, probe, libraries.get(i), true, singles);
          if (tuned[i] == null || p.at(50) < tuned[i].at(50)) {
            tuned[i] = p;
          }
        }
      }
      Percentiles dbSchedulerDefaults = pickup(run, probe, dbScheduler, false, slowSingles);
      Percentiles jobRunrDefaults = pickup(run, probe, jobRunr, false, slowSingles);
      Percentiles mine = tuned[0];
      recordPickup(run, mine, dbSchedulerDefaults, dbScheduler.name() + " defaults (fetch, 10 threads, poll 10 s)", true);
      recordPickup(run, mine, jobRunrDefaults,
          jobRunr.name() + " defaults (" + JobRunrPeer.defaultWorkers() + " workers, poll 15 s)", true);
      recordPickup(run, mine, tuned[1], dbScheduler.name() + " as drained (lock-and-fetch, poll 1 s, immediate execution)", false);
      recordPickup(run, mine, tuned[2], jobRunr.name() + " as drained (16 workers, poll 5 s)", false);

      notes(run, n, singles, slowSingles);
    }
  }

  /**
   * Empties the library's tables, enqueues {@code n} jobs through its batch API (timed), settles the
   * tables, starts its workers in the drain configuration and waits until every completion is
   * committed (timed from the first job's start, so that no library's start-up counts: JobRunr's
   * server waits a second before it first looks for work).
   *
   * @return enqueue and drain rates, jobs per second
   */
  private static double[] enqueueAndDrain(StartProbe probe, PeerLibrary lib, int n) throws Exception {
    lib.reset();
    long t0 = System.nanoTime();
    lib.enqueue(0, n, BATCH);
    double enqueue = Timing.perSecond(n, System.nanoTime() - t0);
    lib.settle();
    probe.expect(0);
    double drain;
    try (PeerLibrary.Workers workers = lib.start(true)) {
      CompletionCounter.awaitNone(DRAIN_LIMIT, lib.schema(), lib.unfinished());
      drain = Timing.perSecond(n, System.nanoTime() - probe.firstStart());
    }
    lib.checkFinished(n);
    if (probe.count() < n) {
      throw new IllegalStateException(lib.name() + ": " + probe.count() + " job bodies ran for " + n + " jobs");
    }
    return new double[] {enqueue, drain};
  }

  /**
   * Pickup latency of {@code count} jobs created one at a time, from just before the create call to
   * the job body's start. A few jobs are enqueued before the workers start and waited for, so the
   * timed ones begin warm and, for a poller, just after a poll. Creates are 20 ms apart; for a
   * worker that only polls, they are spread evenly over one poll interval instead, so that they
   * sample every phase of its cycle alike (20 ms apart they would all fall into one part of it),
   * and they are all picked up by the next poll.
   */
  private static Percentiles pickup(ScenarioRun run, StartProbe probe, PeerLibrary lib, boolean tuned, int count)
      throws Exception {
    Duration idle = lib.idleWait(tuned);
    long gap = Math.max(GAP_NANOS, idle.toNanos() / count);
    run.progress(String.format(Locale.ROOT, "pickup, %s%s: %d jobs %.0f ms apart", lib.name(), tuned ? "" : " defaults", count, gap / 1e6));
    lib.reset();
    probe.expect(PICKUP_WARM + count);
    Duration limit = START_LIMIT.plus(idle);
    long[] before = new long[count];
    lib.enqueue(0, PICKUP_WARM, PICKUP_WARM);
    try (PeerLibrary.Workers workers = lib.start(tuned)) {
      probe.await(PICKUP_WARM, limit, lib.name() + " pickup warm-up");
      long next = System.nanoTime();
      for (int i = 0; i < count; i++) {
        for (long left = next - System.nanoTime(); left > 0; left = next - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
        before[i] = System.nanoTime();
        workers.create(PICKUP_WARM + i);
        next += gap;
      }
      probe.await(PICKUP_WARM + count, limit, lib.name() + " pickup");
    }
    long[] latency = new long[count];
    for (int i = 0; i < count; i++) {
      latency[i] = Math.max(0, probe.startedAt(PICKUP_WARM + i) - before[i]);
    }
    return new Percentiles(latency);
  }

  private static void recordPickup(ScenarioRun run, Percentiles ours, Percentiles peer, String peerName, boolean target) {
    String what = " of single creates (create call → job body): asyncjobs default worker vs " + peerName;
    double p50 = millis(ours.at(50));
    double peer50 = millis(peer.at(50));
    run.record(target
        ? Measurement.versus("pickup p50" + what, "ms", p50, peer50, peerName, Target.below(peer50))
        : Measurement.versus("pickup p50" + what, "ms", p50, peer50, peerName));
    run.record(Measurement.versus("pickup p99" + what, "ms", millis(ours.at(99)), millis(peer.at(99)), peerName));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static void notes(ScenarioRun run, int n, int singles, int slowSingles) {
    run.note(String.format(Locale.ROOT,
        "pg-peers: %,d no-op jobs per enqueue and drain, best of %d round(s) interleaved (asyncjobs, db-scheduler, JobRunr), each"
            + " after its tables were emptied, vacuumed and checkpointed; every library in a schema of its own on the same server,"
            + " dropped afterwards, with a HikariCP pool of %d (same settings); batches of %,d for all three; the drain is timed from"
            + " the first job's start until a query every 10 ms finds every completion committed.",
        n, Math.max(1, run.rounds()), POOL, BATCH));
    run.note("pg-peers: db-scheduler " + DbSchedulerPeer.VERSION + ", a OneTimeTask doing nothing (the instance id is the"
        + " sequence number, no task data), table from its postgresql_tables.sql of v" + DbSchedulerPeer.VERSION
        + "; enqueue with SchedulerClient.scheduleBatch (one JDBC batch of single-row INSERTs a call); drain and tuned pickup with"
        + " threads(" + DbSchedulerPeer.THREADS + "), pollUsingLockAndFetch(" + DbSchedulerPeer.LOWER + ", " + DbSchedulerPeer.UPPER
        + ") (its README's high-throughput setting; with its normal 0.5, 1.0, --quick drains here ran at about half the rate), pollingInterval "
        + DbSchedulerPeer.TUNED_POLL.toSeconds() + " s, enableImmediateExecution (single creates go through the running"
        + " Scheduler, which then looks for due executions at once; it wakes only a scheduler in the creating JVM);"
        + " defaults: 10 threads, fetch polling (0.5, 3.0), poll interval 10 s, no immediate execution.");
    run.note("pg-peers: JobRunr " + JobRunrPeer.VERSION + " open source, PostgresStorageProvider(pool, \"<schema>.\"), Jackson"
        + " mapper, a JobRequest whose JobRequestHandler does nothing; enqueue with JobRequestScheduler.enqueue(Stream) of 1,000"
        + " a call; drain and tuned pickup with " + JobRunrPeer.WORKERS + " workers and poll interval "
        + JobRunrPeer.TUNED_POLL.toSeconds() + " s, the smallest it accepts for a SQL storage (it refuses less); defaults: "
        + JobRunrPeer.defaultWorkers() + " workers (8 per core), poll interval 15 s. A JobRunr worker that finishes a job looks for"
        + " more at once, so only an idle server waits for its poll.");
    run.note("pg-peers: asyncjobs createAll of 1,000 a call; drain with pg-throughput's worker (concurrency 16, claims of 16);"
        + " pickup with a default worker (poll interval 1 s, woken by the store's events), in the same JVM as the creates, as"
        + " the peers' workers are.");
    run.note(String.format(Locale.ROOT,
        "pg-peers: pickup from just before the create call to the job body's start, %d single creates 20 ms apart (best p50 of"
            + " %d round(s)) for asyncjobs and each peer as drained, except JobRunr, whose creates are spread over one poll"
            + " interval (5 s); with the peers' defaults %d creates spread over one poll interval (10 s, 15 s), so that they"
            + " sample its cycle evenly: a poller's p50 is about half its interval.",
        singles, Math.max(1, run.rounds()), slowSingles));
    run.note("pg-peers: what each keeps. db-scheduler deletes a one-time execution when it completes (its table is empty"
        + " after a drain: no history). asyncjobs keeps every job (COMPLETED rows with results, and three event-log rows per"
        + " job). JobRunr keeps every job (SUCCEEDED rows with their JSON state history, marked DELETED after 36 h and removed"
        + " 72 h later by default).");
  }
}
