package dev.asyncjobs.bench.internal;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The event log across processes, and what it costs. Delivery latency: a probe job is created in
 * this JVM, timed from {@code create()} returning (its commit) to the moment a subscriber in a
 * second JVM receives its CREATED event; once on an idle store, once while a worker here runs
 * no-op jobs at full speed. Cost: log rows and bytes per job after a run, the server time of
 * appending one event (the same bulk INSERT and UPDATE on the jobs table and on a copy without
 * triggers), and how fast the log is pruned.
 */
final class PgEventsScenario implements Scenario {
  private static final long GAP_MILLIS = 5;
  private static final long REPLY_SECONDS = 30;
  private static final String BASELINE = "events_baseline_jobs";

  @Override
  public String name() {
    return "pg-events";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  /** The probe type: created here, run by nobody, listened to in the second JVM. */
  private static final class Probe implements Generator<NoopGenerator.Payload> {
    @Override
    public String type() {
      return SecondWorkerMain.PROBE_TYPE;
    }

    @Override
    public Class<NoopGenerator.Payload> payloadType() {
      return NoopGenerator.Payload.class;
    }

    @Override
    public Object generate(NoopGenerator.Payload payload, JobContext context) {
      return Map.of();
    }
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    int probes = run.size(1000, 200);
    int warm = run.size(200, 50);
    int busyJobs = run.size(100_000, 10_000);
    try (BenchSchema schema = run.pg().newSchema(name(), 20); PostgresJobStore store = schema.store();
        JobManager jobs = JobManager.builder().store(store).generator(new NoopGenerator()).generator(new Probe())
            .quotaPolicy(QuotaPolicy.unlimited()).build();
        SecondWorkerProcess listener = SecondWorkerProcess.start(schema.server(), schema.name(), 1, 1)) {
      listener.startListening();

      run.progress("idle store: " + warm + " warm-up probes, then " + probes);
      Percentiles idle = probe(jobs, listener, warm, probes, null);
      record(run, "idle store", idle);

      run.progress("busy store: " + busyJobs + " no-op jobs run by a worker here while probes are created");
      Batches.createAll(jobs, 0, busyJobs, 1000);
      JobWorker worker = JobWorker.builder(jobs).types(Set.of(NoopGenerator.TYPE))
          .concurrency(ThroughputRig.CONCURRENCY).claimBatchSize(ThroughputRig.BATCH).build();
      AtomicBoolean busy = new AtomicBoolean(true);
      long t0 = System.nanoTime();
      worker.start();
      Thread drained = new Thread(() -> {
        try {
          while (schema.count("SELECT count(*) FROM " + schema.table("jobs") + " WHERE type = 'noop' AND status <> 'COMPLETED'") > 0) {
            Thread.sleep(20);
          }
        } catch (Exception e) {
          run.progress("watching the busy run failed: " + e);
        } finally {
          busy.set(false);
        }
      }, "bench-events-drained");
      drained.start();
      Percentiles loaded;
      try {
        loaded = probe(jobs, listener, 0, Integer.MAX_VALUE, busy);
      } finally {
        drained.join();
        worker.close();
      }
      double rate = Timing.perSecond(busyJobs, System.nanoTime() - t0);
      record(run, String.format(java.util.Locale.ROOT, "while a worker runs %,.0f jobs/s", rate), loaded);

      long perJob = schema.count("SELECT count(*) FROM " + schema.table("jobs_events") + " AS e JOIN " + schema.table("jobs")
          + " AS j ON j.id = e.job_id WHERE j.type = 'noop'");
      run.record(Measurement.of("event log rows per no-op job (CREATED, STARTED, COMPLETED)", "rows", perJob / (double) busyJobs));
      long bytes = schema.count("SELECT pg_total_relation_size('" + schema.table("jobs_events") + "')");
      long rows = schema.count("SELECT count(*) FROM " + schema.table("jobs_events"));
      run.record(Measurement.of("event log bytes per event, table and indexes", "bytes", bytes / (double) rows));
      listener.stopWorker();

      pruneRate(run, store, schema);
      appendCost(run, schema, run.size(200_000, 20_000));
      hintCost(run, schema, run.size(5_000, 1_000));
      run.note(name() + ": latency from create() returning in this JVM to the CREATED event reaching a subscriber in a second"
          + " JVM (both read System.nanoTime(), the machine's monotonic clock); " + probes + " probes after " + warm
          + " warm-up probes, " + GAP_MILLIS + " ms apart, on the idle store; on the busy store a probe every " + GAP_MILLIS
          + " ms while one worker (concurrency 16, claims of 16) runs " + busyJobs + " no-op jobs; default hint interval (10 ms).");
    }
  }

  /**
   * Creates probe jobs one at a time, {@value #GAP_MILLIS} ms apart, each after the previous one's
   * event arrived, {@code count} of them or while {@code whileTrue} holds.
   *
   * @return the latencies after the warm-up, in nanoseconds
   */
  private static Percentiles probe(JobManager jobs, SecondWorkerProcess listener, int warm, int count, AtomicBoolean whileTrue)
      throws Exception {
    List<Long> latency = new ArrayList<>();
    for (int i = 0; i < warm + count && (whileTrue == null || whileTrue.get()); i++) {
      String id = jobs.create(JobRequest.builder("probe-owner", SecondWorkerMain.PROBE_TYPE).payload(NoopGenerator.payload(i)).build())
          .id().toString();
      long committed = System.nanoTime();
      String[] heard = listener.nextTiming(REPLY_SECONDS);
      if (!heard[1].equals(id)) {
        throw new IllegalStateException("the second JVM heard of job " + heard[1] + ", expected " + id);
      }
      if (i >= warm) {
        latency.add(Math.max(0, Long.parseLong(heard[2]) - committed));
      }
      Thread.sleep(GAP_MILLIS);
    }
    return new Percentiles(latency.stream().mapToLong(Long::longValue).toArray());
  }

  private static void record(ScenarioRun run, String when, Percentiles p) {
    run.record(Measurement.of("event delivery across JVMs p50, " + when, "ms", p.at(50) / 1e6, Target.below(10)));
    run.record(Measurement.of("event delivery across JVMs p99, " + when, "ms", p.at(99) / 1e6, Target.below(50)));
    run.record(Measurement.of("event delivery across JVMs max, " + when, "ms", p.max() / 1e6));
  }

  /**
   * The server time of appending one event: the same bulk INSERT, then the same UPDATE of every
   * row's status, three ways: on a copy of the jobs table without triggers (no log); on the jobs
   * table the way the store's own statements do it (the events appended by a CTE of the same
   * statement); and on the jobs table as plain SQL (its row trigger appends them, as for the SQL
   * functions and any other writer). The difference per row is the cost of one event.
   */
  private static void appendCost(ScenarioRun run, BenchSchema schema, int rows) throws Exception {
    schema.execute("CREATE TABLE " + schema.table(BASELINE) + " (LIKE " + schema.table("jobs") + " INCLUDING ALL)");
    String values = " SELECT gen_random_uuid(), 'owner-' || (g % 100), 'cost', jsonb_build_object('seq', g), now(), now(), now()"
        + " FROM generate_series(1, " + rows + ") AS g";
    String columns = " (id, owner_id, type, payload, created_at, updated_at, run_at)";
    String set = " SET status = 'PROCESSING', attempts = 1, worker_id = 'w', lease_until = now(), updated_at = now()";
    String log = " INSERT INTO " + schema.table("jobs_events")
        + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)"
        + " SELECT nextval('" + schema.table("jobs_events_seq") + "'), c.id, c.owner_id, '%s', c.type, c.status, c.progress,"
        + " NULL, c.attempts, NULL, c.updated_at FROM c";
    String skip = "(SELECT set_config('asyncjobs.log', 'statement', true)) IS NOT NULL";
    Map<String, String[]> ways = new java.util.LinkedHashMap<>();
    ways.put("none", new String[] {
        "INSERT INTO " + schema.table(BASELINE) + columns + values,
        "UPDATE " + schema.table(BASELINE) + set + " WHERE type = 'cost'"});
    ways.put("statement", new String[] {
        "WITH c AS (INSERT INTO " + schema.table("jobs") + columns + values + " WHERE " + skip + " RETURNING *)"
            + String.format(log, "CREATED"),
        "WITH c AS (UPDATE " + schema.table("jobs") + set + " WHERE type = 'cost' AND " + skip + " RETURNING *)"
            + String.format(log, "STARTED")});
    ways.put("trigger", new String[] {
        "INSERT INTO " + schema.table("jobs") + columns + values,
        "UPDATE " + schema.table("jobs") + set + " WHERE type = 'cost'"});
    Map<String, double[]> best = new HashMap<>();
    for (int round = 0; round < run.rounds(); round++) {
      for (Map.Entry<String, String[]> way : ways.entrySet()) {
        String table = way.getKey().equals("none") ? BASELINE : "jobs";
        schema.execute("DELETE FROM " + schema.table(table) + " WHERE type = 'cost'", "TRUNCATE " + schema.table("jobs_events"));
        schema.settle(table, "jobs_events");
        long t0 = System.nanoTime();
        schema.execute(way.getValue()[0]);
        long t1 = System.nanoTime();
        schema.execute(way.getValue()[1]);
        long t2 = System.nanoTime();
        double[] b = best.computeIfAbsent(way.getKey(), t -> new double[] {Double.MAX_VALUE, Double.MAX_VALUE});
        b[0] = Math.min(b[0], (t1 - t0) / (double) rows);
        b[1] = Math.min(b[1], (t2 - t1) / (double) rows);
      }
    }
    double[] none = best.get("none");
    double[] ours = best.get("statement");
    double[] trigger = best.get("trigger");
    run.record(Measurement.versus("server time per inserted job with its CREATED event, as the store writes it, vs without the log",
        "µs", ours[0] / 1000, none[0] / 1000, "no log"));
    run.record(Measurement.versus("server time per updated job with its STARTED event, as the store writes it, vs without the log",
        "µs", ours[1] / 1000, none[1] / 1000, "no log"));
    run.record(Measurement.of("server time of appending one event, as the store's statements do (mean of insert and update)", "µs",
        ((ours[0] - none[0]) + (ours[1] - none[1])) / 2 / 1000));
    run.record(Measurement.of("server time of appending one event by the log trigger (plain SQL, the SQL functions)", "µs",
        ((trigger[0] - none[0]) + (trigger[1] - none[1])) / 2 / 1000));
    run.note("pg-events: append cost from one INSERT … SELECT generate_series of " + rows + " jobs and one UPDATE of them, on"
        + " a copy of the jobs table without triggers, on the jobs table as the store writes (a CTE appends the events) and as"
        + " plain SQL (the row trigger appends them), best of " + run.rounds() + ".");
  }

  /**
   * What one wake-up hint costs: the store's own statement (an empty NOTIFY in a transaction of its
   * own, which waits for its flush), sent one after the other, while one connection listens.
   */
  private static void hintCost(ScenarioRun run, BenchSchema schema, int hints) throws Exception {
    String channel = schema.name() + ".jobs";
    try (java.sql.Connection listener = schema.server().connect(); java.sql.Statement l = listener.createStatement();
        java.sql.Connection sender = schema.server().connect();
        java.sql.PreparedStatement hint = sender.prepareStatement(
            "SELECT pg_backend_pid() FROM pg_notify(?, '')")) {
      l.execute("LISTEN \"" + channel + "\"");
      hint.setString(1, channel);
      long t0 = System.nanoTime();
      for (int i = 0; i < hints; i++) {
        try (java.sql.ResultSet rs = hint.executeQuery()) {
          rs.next();
        }
      }
      long nanos = System.nanoTime() - t0;
      run.record(Measurement.of("round trip of one wake-up hint (empty NOTIFY, its own transaction and flush), "
          + hints + " in a row", "µs", nanos / 1000.0 / hints));
    }
  }

  /** Prunes the whole log in the batches the workers use, and reports events deleted per second. */
  private static void pruneRate(ScenarioRun run, PostgresJobStore store, BenchSchema schema) throws Exception {
    long total = schema.count("SELECT count(*) FROM " + schema.table("jobs_events"));
    Instant cutoff = Instant.now().plus(Duration.ofDays(1));
    long t0 = System.nanoTime();
    long deleted = 0;
    int n;
    do {
      n = store.pruneEvents(cutoff, 10_000);
      deleted += n;
    } while (n == 10_000);
    long nanos = System.nanoTime() - t0;
    if (deleted != total) {
      throw new IllegalStateException("pruning deleted " + deleted + " of " + total + " events");
    }
    run.record(Measurement.of(String.format(java.util.Locale.ROOT, "pruning: events deleted per second (%,d in batches of 10,000)", deleted),
        "events/s", Timing.perSecond(deleted, nanos)));
  }
}
