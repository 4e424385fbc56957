package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.LogFile;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TcpProxy;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A network partition between one worker process and the database, for three leases: worker A
 * reaches PostgreSQL only through a {@link TcpProxy} that the test cuts (every connection dies, new
 * ones are refused), worker B directly. While A is cut off, B rescues the jobs A was running once
 * their leases expire, and runs them; A stops its own attempts when their leases run out locally,
 * and keeps the results it could not write. When the link returns, A writes nothing for a job it no
 * longer holds (the writes are fenced by the lease): every job ends with exactly one result write,
 * its last attempt's, and none is lost or left PROCESSING.
 */
class PartitionTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "partition");
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** {@code reliability.partition.jobs} and {@code .cuts}; {@code -Pchaos}: 1,000 jobs, 3 cuts. */
  private static final int JOBS = Sizes.count("reliability.partition.jobs", 120);
  private static final int CUTS = Sizes.count("reliability.partition.cuts", 1);
  private static final long LEASE_MILLIS = 2000;

  @Test
  void aWorkerCutOffForLongerThanALeaseLosesItsJobsToAnotherAndWritesNothingForThem() throws Exception {
    TestPostgres.Server server = TestPostgres.server();
    URI target = URI.create(server.url().substring("jdbc:".length()));
    try (Schema schema = Schema.create(server, "partition");
        TcpProxy link = new TcpProxy(target.getHost(), target.getPort()).start();
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build()) {
      List<String> options = List.of("-Dworker.leaseMillis=" + LEASE_MILLIS, "-Dworker.concurrency=4",
          "-Dworker.pollMillis=100", "-Dworker.record=true", "-Dworker.rescueMillis=250",
          "-Dworker.connectionTimeoutMillis=250");
      List<String> throughProxy = new ArrayList<>(options);
      // The later -D wins: worker A's database is the proxy.
      throughProxy.add("-Dreliability.db.url=jdbc:postgresql://127.0.0.1:" + link.port() + target.getPath());
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      try (WorkerFleet cutOff = new WorkerFleet(schema, "cut", throughProxy, LOGS);
          WorkerFleet direct = new WorkerFleet(schema, "direct", options, LOGS)) {
        cutOff.startAndAwait(1);
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
          // 600 ms each: A is in the middle of several when the link goes
          requests.add(JobRequest.builder("owner-" + (i % 10), RecordingGenerator.TYPE)
              .payloadOf(new RecordingGenerator.Work(i, 6, 100)).maxAttempts(50).idempotencyKey("job-" + i).build());
        }
        jobs.createAll(requests);
        ledger.awaitCompleted(8, WAIT);
        direct.startAndAwait(1);

        String heldByASql = "SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'PROCESSING' AND worker_id = 'cut-1'";
        String ranByA = "SELECT count(*) FROM " + schema.table("executions") + " WHERE worker_id = 'cut-1'";
        long heldByA = 0;
        for (int cut = 0; cut < CUTS; cut++) {
          Waits.until("worker A running jobs", WAIT, () -> schema.number(heldByASql) > 0);
          link.stop();
          heldByA += schema.number(heldByASql);
          Waits.until("every job worker A held taken from it", WAIT, () -> schema.number(heldByASql) == 0);
          long completedDuringCut = ledger.completedIfReadable();
          Waits.pause(Duration.ofMillis(3 * LEASE_MILLIS)); // cut off for three leases in all
          assertThat(ledger.completedIfReadable()).as("B goes on while A is cut off").isGreaterThan(completedDuringCut);
          long ranBefore = schema.number(ranByA);
          link.start();
          if (cut + 1 < CUTS) {
            Waits.until("worker A running jobs again once the link is back", WAIT, () -> schema.number(ranByA) > ranBefore);
          }
        }

        ledger.awaitCompleted(JOBS, WAIT);
        cutOff.stopAll(Duration.ofSeconds(15));
        direct.stopAll(Duration.ofSeconds(15));
        ledger.assertEveryJobCompletedOnceByItsLastAttempt(JOBS);
        long takenFromA = schema.number("SELECT count(DISTINCT e.job_id) FROM " + schema.table("executions") + " e JOIN "
            + schema.table("jobs") + " j ON j.id = e.job_id WHERE e.worker_id = 'cut-1' AND j.result->>'worker' <> 'cut-1'");
        assertThat(takenFromA).as("jobs A had started and B finished").isPositive();
        List<LogFile.Entry> log = LogFile.read(cutOff.all().get(0).logFile());
        long fenced = log.stream().filter(e -> e.message().contains("outcome refused, the lease was lost meanwhile")).count();
        // A's attempts at the cut ended within their local lease: it kept their results, and the
        // fence refused them once the link was back (without the fence they would be second writes).
        assertThat(fenced).as("results of A refused by the fence after the link returned").isPositive();
        System.out.printf(Locale.ROOT, "partition: %d jobs, %d cuts; worker A held %d in all when cut off, each time for %d ms"
            + " after its jobs were taken (leases of %d ms);"
            + " %d jobs it had started were finished by B; %d of A's kept results were refused by the fence after the"
            + " link returned; %d executions in all, %d rescues%n", JOBS, CUTS, heldByA, 3 * LEASE_MILLIS, LEASE_MILLIS, takenFromA,
            fenced, ledger.executions(), ledger.rescues());
      }
    }
  }
}
