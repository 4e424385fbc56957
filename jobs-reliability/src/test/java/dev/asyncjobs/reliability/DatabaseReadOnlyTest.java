package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.PrivatePostgres;
import dev.asyncjobs.reliability.support.Schema;
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
  private static final int JOBS = 300;

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
      Waits.pause(Duration.ofSeconds(4)); // twice the lease: a window in which nothing can be written
      assertThat(ledger.completedIfReadable()).as("no completion is written while the database refuses writes").isEqualTo(completedAtStart);
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).as("the refused create stored nothing")
          .isEqualTo(jobsBefore);

      setReadOnly(pg.server(), false);
      jobs.create(refused); // sent again, now stored
      ledger.awaitCompleted(JOBS + 1, WAIT);
      fleet.stopAll(Duration.ofSeconds(15));
      ledger.assertEveryJobCompletedOnceByItsLastAttempt(JOBS + 1);
      System.out.printf("read-only database: %d jobs, %d executions (%d extras: outcomes that could not be written ran again),"
          + " %d completed before writes stopped%n", JOBS + 1, ledger.executions(), ledger.extras().size(), completedAtStart);
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
