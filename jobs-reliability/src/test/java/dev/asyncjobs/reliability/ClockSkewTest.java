package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.child.WorkerMain;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Worker processes whose host clocks are wrong by more than a lease (security review, finding 3).
 * Each skewed worker runs under libfaketime, which moves the wall clock of that process only (the
 * monotonic clock is left alone, as NTP leaves it). With each process's own clock, a worker 30 s
 * ahead rescued the running jobs of a healthy worker at once (every job ran twice), and one 30 s
 * behind left due jobs waiting for 30 s. The PostgreSQL store now takes its time from the database
 * server, so neither happens.
 *
 * <p>Needs libfaketime ({@code apt-get install faketime}; {@code .ci/run} installs it); skipped
 * without it.
 */
class ClockSkewTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "clock-skew");
  private static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern READY = Pattern.compile("READY \\S+ host-clock (\\S+) store-clock (\\S+)");

  @Test
  void aWorkerWhoseClockRunsAheadRescuesNoHealthyWorkersJob() {
    assumeTrue(Files.exists(LIBFAKETIME), "libfaketime is not installed (apt-get install faketime)");
    int jobCount = 8;
    try (Schema schema = Schema.create(TestPostgres.server(), "skew_ahead");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = manager(store)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      List<ChildJvm> workers = new ArrayList<>();
      try {
        workers.add(worker(schema, "steady", Duration.ZERO));
        workers.add(worker(schema, "ahead", SKEW));
        for (int i = 0; i < jobCount; i++) {
          // 4 s each, longer than the lease: the steady worker's heartbeats keep its jobs, while
          // the ahead worker sweeps for expired leases every 100 ms
          jobs.create(JobRequest.builder("owner", RecordingGenerator.TYPE).payloadOf(new RecordingGenerator.Work(i, 8, 500)).build());
        }
        Waits.until("every job completed", WAIT, () -> ledger.completed() == jobCount, () -> ledger.statusCounts().toString());

        assertThat(schema.column("SELECT DISTINCT worker_id FROM " + schema.table("executions") + " ORDER BY 1"))
            .as("both workers ran jobs, so the ahead one saw the steady one's leases").containsExactly("ahead", "steady");
        ledger.assertEveryJobCompletedOnceByItsLastAttempt(jobCount);
        assertThat(ledger.executions()).as("executions: one per job, none taken over").isEqualTo(jobCount);
        assertThat(ledger.rescues()).as("jobs rescued by the worker whose clock runs ahead").isZero();
      } finally {
        workers.forEach(ChildJvm::close);
      }
    }
  }

  @Test
  void aWorkerWhoseClockRunsBehindClaimsDueJobsAtOnce() {
    assumeTrue(Files.exists(LIBFAKETIME), "libfaketime is not installed (apt-get install faketime)");
    int jobCount = 3;
    try (Schema schema = Schema.create(TestPostgres.server(), "skew_behind");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = manager(store)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      try (ChildJvm behind = worker(schema, "behind", SKEW.negated())) {
        long start = System.nanoTime();
        for (int i = 0; i < jobCount; i++) {
          jobs.create(JobRequest.builder("owner", RecordingGenerator.TYPE).payloadOf(new RecordingGenerator.Work(i, 1, 10)).build());
        }
        // With its own clock the worker would see these jobs due only in 30 s.
        Waits.until("every job completed", SKEW.dividedBy(2), () -> ledger.completed() == jobCount, () -> ledger.statusCounts().toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SKEW.dividedBy(2));
        ledger.assertEveryJobCompletedOnceByItsLastAttempt(jobCount);
      }
    }
  }

  private static JobManager manager(PostgresJobStore store) {
    return JobManager.builder().store(store).generator(new RecordingGenerator(null, null, "test"))
        .quotaPolicy(QuotaPolicy.unlimited()).build();
  }

  /**
   * Starts a recording worker whose host clock is off by {@code skew}, waits until it runs, and
   * checks that its host clock really is off while its store's clock is the server's.
   */
  private static ChildJvm worker(Schema schema, String name, Duration skew) {
    List<String> options = new ArrayList<>(schema.childProperties());
    options.addAll(List.of("-Dworker.leaseMillis=" + LEASE.toMillis(), "-Dworker.concurrency=4", "-Dworker.pollMillis=200",
        "-Dworker.rescueMillis=100", "-Dworker.record=true"));
    Map<String, String> env = skew.isZero() ? Map.of() : Map.of(
        "LD_PRELOAD", LIBFAKETIME.toString(),
        "FAKETIME", (skew.isNegative() ? "-" : "+") + skew.abs().toSeconds() + "s",
        // only the wall clock: the JVM's timed waits use the monotonic clock
        "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    ChildJvm child = ChildJvm.start(name, WorkerMain.class, options, List.of(name), LOGS, env);
    String ready = child.awaitLine(l -> l.startsWith("READY"), WAIT, "READY");
    Instant seen = Instant.now();
    Matcher m = READY.matcher(ready);
    assertThat(m.matches()).as(ready).isTrue();
    Duration hostOff = Duration.between(seen, Instant.parse(m.group(1)));
    Duration storeOff = Duration.between(seen, Instant.parse(m.group(2)));
    assertThat(hostOff.minus(skew).abs()).as("%s's host clock is off by %s", name, skew).isLessThan(Duration.ofSeconds(5));
    assertThat(storeOff.abs()).as("%s's store clock is the server's", name).isLessThan(Duration.ofSeconds(5));
    return child;
  }
}
