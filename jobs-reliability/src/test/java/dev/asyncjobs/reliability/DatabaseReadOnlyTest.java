package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.LogFile;
import dev.asyncjobs.reliability.support.PrivatePostgres;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The database refuses every write for longer than a lease (as a full disk or a failover to a
 * read-only replica does), on a cluster of this test's own: {@code default_transaction_read_only}
 * turned on for the whole server. Meanwhile a create fails with {@link JobStoreException} and
 * stores nothing, and no job completes; afterwards the worker process carries on by itself, the
 * jobs whose outcomes could not be written are rescued and run again, and every job ends COMPLETED
 * with one result write, its last attempt's; nothing is lost.
 */
class DatabaseReadOnlyTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "readonly");
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** Jobs of the long refusal ({@code reliability.readonly.jobs}; {@code -Pchaos}: 3,000). */
  private static final int JOBS = Sizes.count("reliability.readonly.jobs", 300);
  /** A worker that spins on a refusing database would make thousands a second; one that waits, a few. */
  private static final double MAX_REFUSED_PER_SECOND = 300;

  @Test
  void aDatabaseThatRefusesWritesForLongerThanALeaseLosesNothing() throws Exception {
    String skipped = PrivatePostgres.skipReason("DatabaseReadOnlyTest");
    Assumptions.assumeTrue(skipped == null, skipped);
    try (PrivatePostgres pg = PrivatePostgres.start("readonly");
        Schema schema = Schema.create(pg.server(), "readonly");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        WorkerFleet fleet = new WorkerFleet(schema, "readonly", List.of(
            "-Dworker.leaseMillis=2000", "-Dworker.concurrency=4", "-Dworker.pollMillis=250", "-Dworker.record=true",
            "-Dworker.rescueMillis=500", "-Dworker.connectionTimeoutMillis=250"), LOGS)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      fleet.startAndAwait(1);
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        // 40 ms of work each: some are running when the writes stop
        requests.add(JobRequest.builder("owner-" + (i % 10), RecordingGenerator.TYPE)
            .payloadOf(new RecordingGenerator.Work(i, 4, 10)).maxAttempts(50).idempotencyKey("job-" + i).build());
      }
      jobs.createAll(requests);
      ledger.awaitCompleted(JOBS / 3, WAIT);

      setReadOnly(pg.server(), true);
      long jobsBefore = schema.number("SELECT count(*) FROM " + schema.table("jobs"));
      JobRequest refused = JobRequest.builder("owner-x", RecordingGenerator.TYPE).payloadOf(new RecordingGenerator.Work(-1, 1, 1))
          .idempotencyKey("during-read-only").build();
      assertThatThrownBy(() -> jobs.create(refused)).isInstanceOf(JobStoreException.class);
      long completedAtStart = ledger.completedIfReadable();
      long failedBefore = rolledBack(pg.server());
      Waits.pause(Duration.ofSeconds(4)); // twice the lease: a window in which nothing can be written
      double failedPerSecond = (rolledBack(pg.server()) - failedBefore) / 4.0;
      assertThat(ledger.completedIfReadable()).as("no completion is written while the database refuses writes").isEqualTo(completedAtStart);
      // The worker keeps trying at its poll interval and backs off its retries: it does not spin.
      assertThat(failedPerSecond).as("transactions refused per second while read-only").isLessThan(MAX_REFUSED_PER_SECOND);
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).as("the refused create stored nothing")
          .isEqualTo(jobsBefore);

      setReadOnly(pg.server(), false);
      jobs.create(refused); // sent again, now stored
      ledger.awaitCompleted(JOBS + 1, WAIT);
      fleet.stopAll(Duration.ofSeconds(15));
      ledger.assertEveryJobCompletedOnceByItsLastAttempt(JOBS + 1);
      System.out.printf(Locale.ROOT, "read-only database: %d jobs, %d executions (%d extras: outcomes that could not be"
          + " written before their lease expired ran again), %d completed before writes stopped, %.1f transactions refused"
          + " per second while read-only%n", JOBS + 1, ledger.executions(), ledger.extras().size(), completedAtStart,
          failedPerSecond);
    }
  }

  /**
   * The database refuses writes for less than a lease: a result refused meanwhile is kept by its
   * worker and written once the database takes writes again, so no job that ran runs again.
   */
  @Test
  void aRefusalShorterThanALeaseCostsNoResult() throws Exception {
    String skipped = PrivatePostgres.skipReason("DatabaseReadOnlyTest");
    Assumptions.assumeTrue(skipped == null, skipped);
    int count = 200;
    try (PrivatePostgres pg = PrivatePostgres.start("readonly-short");
        Schema schema = Schema.create(pg.server(), "readonly");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        WorkerFleet fleet = new WorkerFleet(schema, "readonly-short", List.of(
            "-Dworker.leaseMillis=8000", "-Dworker.concurrency=4", "-Dworker.pollMillis=250", "-Dworker.record=true",
            "-Dworker.rescueMillis=500", "-Dworker.connectionTimeoutMillis=250"), LOGS)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      fleet.startAndAwait(1);
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        // 100 ms of work each: about 40 attempts end in the window
        requests.add(JobRequest.builder("owner-" + (i % 10), RecordingGenerator.TYPE)
            .payloadOf(new RecordingGenerator.Work(i, 4, 25)).maxAttempts(50).idempotencyKey("job-" + i).build());
      }
      jobs.createAll(requests);
      ledger.awaitCompleted(count / 4, WAIT);

      setReadOnly(pg.server(), true);
      Waits.pause(Duration.ofMillis(1500)); // far less than the lease: no lease expires meanwhile
      setReadOnly(pg.server(), false);
      ledger.awaitCompleted(count, WAIT);
      fleet.stopAll(Duration.ofSeconds(15));
      ledger.assertEveryJobCompletedOnceByItsLastAttempt(count);
      // An attempt that started in the window could not record its execution: it failed and ran
      // again later, which is no extra. Every attempt that did run kept its result.
      assertThat(ledger.extras()).as("attempts that ran and ran again (their result was not kept)").isEmpty();
      List<LogFile.Entry> log = LogFile.read(fleet.all().get(0).logFile());
      // Refused and kept (the worker logs it once per result, at WARN): since no job ran again,
      // every one of them was written afterwards.
      long kept = log.stream().filter(e -> e.message().contains("keeping it and trying again")).count();
      assertThat(kept).as("results refused in the window and kept").isPositive();
      System.out.printf(Locale.ROOT, "read-only database for 1.5 s: %d jobs, %d results refused, kept and written"
          + " afterwards, %d executions, no job ran again%n", count, kept, ledger.executions());
    }
  }

  /** Transactions rolled back in the server so far (the refused writes among them). */
  private static long rolledBack(TestPostgres.Server server) throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_force_next_flush()");
      try (var rs = s.executeQuery("SELECT sum(xact_rollback) FROM pg_stat_database")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Turns {@code default_transaction_read_only} on or off for the whole server, and waits until it applies. */
  private static void setReadOnly(TestPostgres.Server server, boolean on) throws SQLException {
    try (Connection c = server.connect(); Statement s = c.createStatement()) {
      s.execute(on ? "ALTER SYSTEM SET default_transaction_read_only = on" : "ALTER SYSTEM RESET default_transaction_read_only");
      s.execute("SELECT pg_reload_conf()");
    }
    Waits.until("read-only " + on + " in force", WAIT, () -> readOnly(server) == on, () -> readOnly(server));
  }

  private static boolean readOnly(TestPostgres.Server server) {
    try (Connection c = server.connect(); Statement s = c.createStatement(); var rs = s.executeQuery("SHOW default_transaction_read_only")) {
      rs.next();
      return rs.getString(1).equals("on");
    } catch (SQLException e) {
      return false;
    }
  }
}
