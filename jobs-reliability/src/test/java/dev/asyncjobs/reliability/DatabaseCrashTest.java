package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.Enqueuer;
import dev.asyncjobs.reliability.support.EventLogCheck;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.reliability.support.PrivatePostgres;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.sse.SseClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The database itself goes down hard, on a PostgreSQL cluster of this test's own: while two worker
 * JVMs run and a producer in this JVM creates jobs, the postmaster is killed with SIGKILL (crash
 * recovery from the WAL at the restart), then stopped fast, then stopped immediately, and started
 * again each time on the same data directory; {@code reliability.dbcrash.rounds} times over
 * ({@code -Pchaos}: 5 rounds of 20,000 jobs). Every job the producer sent (again, with its
 * idempotency key, until it was acknowledged) exists afterwards and ended COMPLETED with exactly one
 * result write, its last attempt's; none is left PROCESSING; the workers came back by themselves.
 * A subscriber from before the crashes holds exactly the event log after its start, in order. The
 * HTTP API over the same manager answers a create with 503 while the database is down, accepts it
 * once the database is back, and an owner's event stream opened before the crashes sees those jobs
 * complete.
 * Unlike a worker crash, a database crash may take back a claim (claims commit without waiting for
 * the WAL flush), so an attempt number may run twice; those re-runs are counted in the report. The
 * recovery time (database back, to the next completion) and the extra executions are reported.
 */
class DatabaseCrashTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "crash");
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String HTTP_OWNER = "http-owner";
  private static final String GENERATE = "/api/generate";

  /** The body of {@code POST /api/generate} for a recorded job {@code n} with idempotency key {@code key}. */
  private static String generate(int n, String key) {
    return "{\"type\":\"" + RecordingGenerator.TYPE + "\",\"payload\":{\"n\":" + n + ",\"steps\":2,\"stepMillis\":20},"
        + "\"idempotencyKey\":\"" + key + "\"}";
  }

  @Test
  void crashesAndRestartsOfTheServerLoseNoJobAndCompleteEachOnce() throws Exception {
    String skipped = PrivatePostgres.skipReason("DatabaseCrashTest");
    Assumptions.assumeTrue(skipped == null, skipped);
    int jobCount = Sizes.count("reliability.dbcrash.jobs", 1500);
    int rounds = Sizes.count("reliability.dbcrash.rounds", 1);
    try (PrivatePostgres pg = PrivatePostgres.start("crash");
        Schema schema = Schema.create(pg.server(), "crash");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        WorkerFleet fleet = new WorkerFleet(schema, "crash", List.of(
            "-Dworker.leaseMillis=3000", "-Dworker.concurrency=4", "-Dworker.pollMillis=250", "-Dworker.record=true",
            "-Dworker.connectionTimeoutMillis=250"), LOGS);
        HttpApi api = new HttpApi(jobs)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      // A subscriber from before the crashes: afterwards it must hold exactly the log after its start
      // (its listener reconnects, it catches up from the log; nothing a crash took back reached it).
      EventRecorder events = new EventRecorder();
      Subscription subscription = store.subscribe(EventSubscription.allOwners(), events);
      // And the HTTP API over the same manager, with an owner's event stream open from before the crashes.
      String token = api.token(HTTP_OWNER);
      SseClient stream = api.events(token);
      Set<String> httpJobs = new LinkedHashSet<>();
      fleet.startAndAwait(2);
      List<String> report = new ArrayList<>();
      int resent;
      try (Enqueuer enqueuer = Enqueuer.start(jobs, jobCount, Duration.ofSeconds(12L * rounds),
          i -> JobRequest.builder("owner-" + (i % 20), RecordingGenerator.TYPE)
              .payloadOf(new RecordingGenerator.Work(i, 2, 20)).maxAttempts(50).idempotencyKey("job-" + i).build())) {
        List<String> names = List.of("SIGKILL of the postmaster", "fast stop", "immediate stop");
        List<Function<Runnable, Duration>> downs = List.of(pg::crashAndRestart, pg::restartFast, pg::restartImmediate);
        int steps = downs.size() * rounds;
        for (int step = 0; step < steps; step++) {
          int k = step % downs.size();
          ledger.awaitCompleted((long) jobCount * (step + 1) / (steps + 2), WAIT);
          long before = ledger.completedIfReadable();
          long t0 = System.nanoTime();
          String key = "http-" + step;
          String body = generate(jobCount + step, key);
          Duration back = downs.get(k).apply(() -> {
            HttpApi.Response refused = api.post(token, GENERATE, body);
            assertThat(refused.status()).as("a create over HTTP while the database is down: %s", refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("Store unavailable");
          });
          long up = System.nanoTime();
          Waits.until("a completion after the " + names.get(k), WAIT, () -> ledger.completedIfReadable() > before,
              () -> ledger.completedIfReadable() + " completed");
          double recovery = (System.nanoTime() - up) / 1e9;
          // The same create again (its idempotency key makes one job of every try), until it is accepted.
          HttpApi.Response created = Waits.untilValue("a create over HTTP after the " + names.get(k), WAIT,
              () -> api.post(token, GENERATE, body), r -> r.status() == 202 || r.status() == 200);
          double httpBack = (System.nanoTime() - up) / 1e9;
          httpJobs.add(created.json().path("id").asText());
          report.add(String.format(Locale.ROOT, "%s: down and back in %.2f s, first completion %.2f s after, first"
              + " HTTP create accepted %.2f s after", names.get(k), (up - t0) / 1e9, recovery, httpBack));
          assertThat(back).isPositive();
        }
        enqueuer.await(WAIT);
        resent = enqueuer.resent();
      }
      int total = jobCount + httpJobs.size();
      ledger.awaitCompleted(total, WAIT);
      // The stream opened before the crashes saw every HTTP-created job complete, and the API reads them.
      for (String id : httpJobs) {
        stream.awaitReceived(e -> e.event().equals("job") && e.data().contains(id) && e.data().contains("\"COMPLETED\""),
            WAIT, "the COMPLETED event of " + id + " on the stream opened before the crashes");
        HttpApi.Response read = api.get(token, "/api/jobs/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("status").asText()).isEqualTo("COMPLETED");
      }
      stream.close();
      List<JobEvent> log = EventLogCheck.awaitCaughtUpWithTheLog(store, events, subscription.startedAfter(), WAIT);
      subscription.close();
      EventLogCheck.assertHoldsExactlyTheLog("database crash", events, store, log, subscription.startedAfter());
      fleet.stopAll(Duration.ofSeconds(15));

      // A claim commits without waiting for its WAL flush, so a crash can take one back after its
      // worker started the attempt: the attempt number is handed out again, and only one result is
      // ever written (the lost claim's worker is refused).
      ledger.assertEveryJobCompletedOnceByItsLastAttemptAllowingLostClaims(total);
      List<String> repeated = ledger.repeatedAttempts();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'PROCESSING'"))
          .as("none left PROCESSING").isZero();
      String summary = String.format(Locale.ROOT, "database crash: %d jobs, %d executions (%d at-least-once extras, of"
          + " which %d re-ran an attempt whose claim the crash took back), %d create batches sent again; %s", total,
          ledger.executions(), ledger.extras().size(), repeated.size(), resent, String.join("; ", report));
      System.out.println(summary);
    }
  }
}
