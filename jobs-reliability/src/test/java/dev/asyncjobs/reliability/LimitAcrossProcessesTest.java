package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.LimitedWorkerMain;
import dev.asyncjobs.reliability.child.SlotGenerator;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One limit, two worker processes: two child JVMs each run a {@code JobWorker} of concurrency 8 on
 * the same schema, and a {@code JobLimit} of maxRunning 3 on the job type, defined once through
 * {@link JobManager#defineLimit}, binds them together. Every attempt records its start and end with
 * the database server's clock (the one clock both processes share), inside the time its job was
 * PROCESSING; from those intervals alone the test finds that no more than 3 attempts ever
 * overlapped, that 3 did, and how busy the 3 slots were (busy slot time over 3 x the wall time).
 */
class LimitAcrossProcessesTest {
  private static final Logger LOG = LoggerFactory.getLogger(LimitAcrossProcessesTest.class);
  private static final Path LOGS = Path.of("target", "reliability-logs", "limits");
  private static final int JOBS = 60;
  private static final int WORK_MILLIS = 200;
  private static final int MAX_RUNNING = 3;
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void twoProcessesUnderOneMaxRunningNeverRunMoreThanItAndKeepItsSlotsBusy() {
    List<ChildJvm> workers = new ArrayList<>();
    try (Schema schema = Schema.create(TestPostgres.server(), "limits");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store).generator(new SlotGenerator(null, null, "test"))
            .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      String log = schema.table("attempt_log");
      schema.execute(SlotGenerator.attemptLogDdl(schema.name()));
      jobs.defineLimit(JobLimit.builder(SlotGenerator.TYPE).maxRunning(MAX_RUNNING).build());
      for (String id : List.of("limits-1", "limits-2")) {
        List<String> options = new ArrayList<>(schema.childProperties());
        options.add("-Dworker.concurrency=8");
        workers.add(ChildJvm.start(id, LimitedWorkerMain.class, options, List.of(id), LOGS));
      }
      workers.forEach(w -> w.awaitLine(l -> l.startsWith("READY"), WAIT, "READY"));

      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        requests.add(JobRequest.builder("owner-" + (i % 5), SlotGenerator.TYPE)
            .payloadOf(new SlotGenerator.Work(i, WORK_MILLIS)).build());
      }
      jobs.createAll(requests);
      String completed = "SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'";
      Waits.until("all " + JOBS + " jobs to complete", WAIT, () -> schema.number(completed) == JOBS,
          () -> schema.rows("SELECT status, count(*) FROM " + schema.table("jobs") + " GROUP BY status"));
      LimitStatus status = jobs.limits().get(0);
      workers.forEach(w -> w.send("STOP"));
      workers.forEach(w -> w.waitFor(Duration.ofSeconds(20)));

      assertThat(schema.number("SELECT count(*) FROM " + log + " WHERE ended_at IS NOT NULL")).as("attempts recorded")
          .isEqualTo(JOBS);
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE attempts = 1")).isEqualTo(JOBS);
      // Each start +1, each end -1, in time order (an end before a start at the same instant).
      long mostAtOnce = schema.number("SELECT max(running) FROM (SELECT sum(d) OVER (ORDER BY at, d ROWS UNBOUNDED PRECEDING)"
          + " AS running FROM (SELECT started_at AS at, 1 AS d FROM " + log + " UNION ALL SELECT ended_at, -1 FROM " + log
          + ") AS e) AS s");
      List<String> perWorker = schema.column("SELECT worker_id || ':' || count(*) FROM " + log + " GROUP BY worker_id ORDER BY 1");
      double busy = Double.parseDouble(schema.value("SELECT extract(epoch FROM sum(ended_at - started_at)) FROM " + log));
      double wall = Double.parseDouble(schema.value("SELECT extract(epoch FROM max(ended_at) - min(started_at)) FROM " + log));
      double utilisation = busy / (MAX_RUNNING * wall);
      String report = String.format(java.util.Locale.ROOT,
          "limit across processes: %d jobs of %d ms, maxRunning %d, 2 worker processes of concurrency 8 (attempts %s):"
              + " at most %d at once; %.2f s busy in %.2f s wall, utilisation %.1f%% of %d slots",
          JOBS, WORK_MILLIS, MAX_RUNNING, perWorker, mostAtOnce, busy, wall, utilisation * 100, MAX_RUNNING);
      LOG.info(report);
      System.out.println(report);

      assertThat(mostAtOnce).as("attempts running at once").isEqualTo(MAX_RUNNING);
      assertThat(perWorker).as("both processes ran attempts").hasSize(2);
      assertThat(status.name()).isEqualTo(SlotGenerator.TYPE);
      assertThat(status.running()).isZero();
      assertThat(status.limit()).isEqualTo(JobLimit.builder(SlotGenerator.TYPE).maxRunning(MAX_RUNNING).build());
    } finally {
      workers.forEach(ChildJvm::close);
    }
  }
}
