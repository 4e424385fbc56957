package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.child.WorkerMain;
import dev.asyncjobs.reliability.support.Await;
import dev.asyncjobs.reliability.support.Enqueuer;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.TestServer;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker processes are killed with SIGKILL, one every two seconds, while they run thousands of jobs
 * on one PostgreSQL schema; new ones take their place. Nothing is lost: every job ends COMPLETED
 * with its result written exactly once, and a job ran more than once only when the worker running
 * it was killed (or, on a starved machine, lost its lease, which the worker reports).
 *
 * <p>Evidence comes from the database, not from the processes: every execution inserts a row into
 * {@code executions} (in its own transaction, before it works), and a trigger on the jobs table logs
 * every write of a result and every change to COMPLETED into {@code result_writes}.
 */
class ProcessCrashTest {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessCrashTest.class);
  private static final Path LOGS = Path.of("target", "reliability-logs", "crash");
  private static final int WORKERS = 3;
  private static final Duration KILL_EVERY = Duration.ofSeconds(2);

  @Test
  void killedWorkersLoseNoJobAndEachResultIsWrittenExactlyOnce() throws Exception {
    int jobCount = Sizes.count("reliability.crash.jobs", 5000);
    Duration enqueueOver = Sizes.duration("reliability.crash.enqueueOver", Duration.ofSeconds(20));
    Duration deadline = Sizes.duration("reliability.crash.deadline", Duration.ofMinutes(4));

    try (Schema schema = Schema.create(TestServer.get(), "crash");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        WorkerFleet fleet = new WorkerFleet(schema, "crash", List.of(
            "-Dworker.leaseMillis=2000", "-Dworker.concurrency=8", "-Dworker.pollMillis=500", "-Dworker.record=true"), LOGS)) {
      recordEveryResultWrite(schema);
      fleet.startAndAwait(WORKERS);

      long start = System.nanoTime();
      int kills = 0;
      try (Enqueuer enqueuer = Enqueuer.start(jobs, jobCount, enqueueOver,
          i -> JobRequest.builder("owner-" + (i % 50), RecordingGenerator.TYPE)
              .payloadOf(new RecordingGenerator.Work(i, 3, 15)).maxAttempts(50).build())) {
        long nextKill = System.nanoTime() + KILL_EVERY.toNanos();
        long end = System.nanoTime() + deadline.toNanos();
        while (completed(schema) < jobCount) {
          assertThat(System.nanoTime()).as("all %d jobs completed within %s; %s", jobCount, deadline, statusCounts(schema))
              .isLessThan(end);
          if (System.nanoTime() - nextKill >= 0) {
            String victim = fleet.killRandom();
            fleet.startOne();
            kills++;
            LOG.info("killed {} (kill {}), {} of {} jobs completed", victim, kills, completed(schema), jobCount);
            nextKill += KILL_EVERY.toNanos();
          }
          Await.pause(100);
        }
        enqueuer.await(Duration.ofSeconds(10));
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      fleet.close();

      assertThat(kills).as("kills during the run").isGreaterThan(0);
      assertThat(statusCounts(schema)).as("every job COMPLETED, none PROCESSING").isEqualTo(Map.of("COMPLETED", (long) jobCount));

      // exactly one result write per job, and it is the change to COMPLETED
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("result_writes"))).isEqualTo(jobCount);
      assertThat(schema.number("SELECT count(DISTINCT job_id) FROM " + schema.table("result_writes")
          + " WHERE new_status = 'COMPLETED' AND old_status = 'PROCESSING'")).isEqualTo(jobCount);

      // the stored result is that of an execution of this job, in its last attempt
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " j LEFT JOIN " + schema.table("executions")
          + " e ON e.execution_id = (j.result->>'execution')::uuid AND e.job_id = j.id AND e.attempt = j.attempts"
          + " AND e.worker_id = j.result->>'worker' WHERE e.execution_id IS NULL"))
          .as("jobs whose result is not the result of their last attempt's execution").isZero();
      // an attempt number was never run twice (a job is never held by two workers at once)
      assertThat(schema.column("SELECT job_id || '/' || attempt FROM " + schema.table("executions")
          + " GROUP BY job_id, attempt HAVING count(*) > 1")).as("attempts executed twice").isEmpty();

      // every execution beyond the winning one belongs to a killed worker, or to a live worker
      // that lost the lease and reported it (a starved machine can delay heartbeats past 2 s)
      List<List<String>> extras = schema.rows("SELECT e.worker_id, e.job_id, e.attempt FROM " + schema.table("executions")
          + " e JOIN " + schema.table("jobs") + " j ON j.id = e.job_id WHERE e.execution_id <> (j.result->>'execution')::uuid");
      Set<String> killed = fleet.killed();
      Set<String> reportedLosses = new HashSet<>(schema.column("SELECT job_id || '/' || attempt || '/' || worker_id FROM "
          + schema.table("worker_notes") + " WHERE kind = 'LEASE_LOST'"));
      List<List<String>> byKilled = extras.stream().filter(r -> killed.contains(r.get(0))).collect(Collectors.toList());
      List<List<String>> byLiveWithLostLease = extras.stream()
          .filter(r -> !killed.contains(r.get(0)) && reportedLosses.contains(r.get(1) + "/" + r.get(2) + "/" + r.get(0)))
          .collect(Collectors.toList());
      List<List<String>> unexplained = extras.stream()
          .filter(r -> !byKilled.contains(r) && !byLiveWithLostLease.contains(r)).collect(Collectors.toList());
      assertThat(unexplained).as("extra executions by workers that were neither killed nor lost the lease").isEmpty();
      assertThat(byKilled).as("the kills hit running jobs").isNotEmpty();

      long executions = schema.number("SELECT count(*) FROM " + schema.table("executions"));
      long rescued = schema.number("SELECT count(*) FROM " + schema.table("worker_notes") + " WHERE kind = 'RESCUED'");
      String report = String.format(
          "process crash: %d jobs, %d worker processes started, %d killed with SIGKILL, %d executions,"
              + " %d at-least-once extras (%d on killed workers, %d after a reported lease loss), %d jobs rescued,"
              + " %.1f s, %.0f jobs/s",
          jobCount, fleet.startedCount(), kills, executions, extras.size(), byKilled.size(), byLiveWithLostLease.size(),
          rescued, elapsedMillis / 1000.0, jobCount * 1000.0 / elapsedMillis);
      LOG.info(report);
      System.out.println(report);
      assertThat(executions).isEqualTo(jobCount + extras.size());
    }
  }

  /** A trigger that logs every result written and every change to COMPLETED, with the status before. */
  private static void recordEveryResultWrite(Schema schema) {
    String s = schema.name();
    schema.execute(
        RecordingGenerator.executionsTableDdl(s),
        WorkerMain.notesTableDdl(s),
        "CREATE TABLE " + s + ".result_writes (job_id uuid NOT NULL, old_status text NOT NULL, new_status text NOT NULL,"
            + " result jsonb, at timestamptz NOT NULL DEFAULT clock_timestamp())",
        "CREATE FUNCTION " + s + ".log_result_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO " + s + ".result_writes (job_id, old_status, new_status, result)"
            + " VALUES (NEW.id, OLD.status, NEW.status, NEW.result); RETURN NULL; END $$",
        "CREATE TRIGGER log_result_write AFTER UPDATE ON " + s + ".jobs FOR EACH ROW"
            + " WHEN (NEW.result IS DISTINCT FROM OLD.result"
            + " OR (NEW.status = 'COMPLETED' AND OLD.status IS DISTINCT FROM 'COMPLETED'))"
            + " EXECUTE FUNCTION " + s + ".log_result_write()");
  }

  private static long completed(Schema schema) {
    return schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'");
  }

  private static Map<String, Long> statusCounts(Schema schema) {
    return schema.rows("SELECT status, count(*) FROM " + schema.table("jobs") + " GROUP BY status").stream()
        .collect(Collectors.toMap(r -> r.get(0), r -> Long.parseLong(r.get(1))));
  }
}
