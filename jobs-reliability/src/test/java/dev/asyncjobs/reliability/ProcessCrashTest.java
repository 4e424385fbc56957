package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Enqueuer;
import dev.asyncjobs.reliability.support.LogFile;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    try (Schema schema = Schema.create(TestPostgres.server(), "crash");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        WorkerFleet fleet = new WorkerFleet(schema, "crash", List.of(
            "-Dworker.leaseMillis=2000", "-Dworker.concurrency=8", "-Dworker.pollMillis=500", "-Dworker.record=true"), LOGS)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      fleet.startAndAwait(WORKERS);

      long start = System.nanoTime();
      int kills = 0;
      try (Enqueuer enqueuer = Enqueuer.start(jobs, jobCount, enqueueOver,
          i -> JobRequest.builder("owner-" + (i % 50), RecordingGenerator.TYPE)
              .payloadOf(new RecordingGenerator.Work(i, 3, 15)).maxAttempts(50).build())) {
        long nextKill = System.nanoTime() + KILL_EVERY.toNanos();
        long end = System.nanoTime() + deadline.toNanos();
        while (ledger.completed() < jobCount) {
          assertThat(System.nanoTime()).as("all %d jobs completed within %s; %s", jobCount, deadline, ledger.statusCounts())
              .isLessThan(end);
          if (System.nanoTime() - nextKill >= 0) {
            String victim = fleet.killRandom();
            fleet.startOne();
            kills++;
            LOG.info("killed {} (kill {}), {} of {} jobs completed", victim, kills, ledger.completed(), jobCount);
            nextKill += KILL_EVERY.toNanos();
          }
          Waits.pause(Duration.ofMillis(100));
        }
        enqueuer.await(Duration.ofSeconds(10));
      }
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      fleet.close();

      assertThat(kills).as("kills during the run").isGreaterThan(0);
      ledger.assertEveryJobCompletedOnceByItsLastAttempt(jobCount);

      // every execution beyond the winning one belongs to a killed worker, or to a live worker
      // that lost the lease (a starved machine can delay heartbeats past 2 s) or could not write
      // the outcome, and said so (a note in the database, a line in its log)
      List<ExecutionLedger.Extra> extras = ledger.extras();
      Set<String> killed = fleet.killed();
      Set<ExecutionLedger.Extra> reportedLosses = new HashSet<>(ledger.reportedLeaseLosses());
      reportedLosses.addAll(outcomesNotRecorded(fleet));
      List<ExecutionLedger.Extra> byKilled = extras.stream().filter(e -> killed.contains(e.workerId())).collect(Collectors.toList());
      List<ExecutionLedger.Extra> byLiveWithLostLease = extras.stream()
          .filter(e -> !killed.contains(e.workerId()) && reportedLosses.contains(e)).collect(Collectors.toList());
      List<ExecutionLedger.Extra> unexplained = extras.stream()
          .filter(e -> !byKilled.contains(e) && !byLiveWithLostLease.contains(e)).collect(Collectors.toList());
      assertThat(unexplained).as("extra executions by workers that were neither killed nor reported losing the attempt").isEmpty();
      assertThat(byKilled).as("the kills hit running jobs").isNotEmpty();

      long executions = ledger.executions();
      String report = String.format(
          "process crash: %d jobs, %d worker processes started, %d killed with SIGKILL, %d executions,"
              + " %d at-least-once extras (%d on killed workers, %d after a reported lease loss or unwritten outcome), %d jobs rescued,"
              + " %.1f s, %.0f jobs/s",
          jobCount, fleet.startedCount(), kills, executions, extras.size(), byKilled.size(), byLiveWithLostLease.size(),
          ledger.rescues(), elapsedMillis / 1000.0, jobCount * 1000.0 / elapsedMillis);
      LOG.info(report);
      System.out.println(report);
      assertThat(executions).isEqualTo(jobCount + extras.size());
    }
  }

  private static final Pattern NOT_RECORDED = Pattern.compile("job ([0-9a-f-]{36}) attempt (\\d+): could not record the outcome");

  /** The attempts whose outcome a worker could not write, as its log says (job id, attempt, worker id). */
  private static Set<ExecutionLedger.Extra> outcomesNotRecorded(WorkerFleet fleet) {
    Set<ExecutionLedger.Extra> out = new HashSet<>();
    for (ChildJvm worker : fleet.all()) {
      for (LogFile.Entry e : LogFile.read(worker.logFile())) {
        Matcher m = NOT_RECORDED.matcher(e.message());
        if (m.find()) {
          out.add(new ExecutionLedger.Extra(worker.name(), m.group(1), Integer.parseInt(m.group(2))));
        }
      }
    }
    return out;
  }
}
