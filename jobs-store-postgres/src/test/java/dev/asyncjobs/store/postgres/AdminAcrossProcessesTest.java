package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator's action on one node is seen by a worker on another: two stores on one schema, each
 * with its own pool and listening connection as two processes have, the API node's JobAdmin
 * retrying and pausing, the worker node's JobWorker (polling only every minute, so only the
 * wake-up hint can start it in time) running what it is given.
 */
class AdminAcrossProcessesTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  private static final Duration SLOW_POLL = Duration.ofMinutes(1);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private PostgresJobStore node() {
    TestPostgres.Server s = TestPostgres.server();
    return PostgresJobStore.builder().jdbcUrl(s.url()).user(s.user()).password(s.password()).schema(schema.name())
        .maxPoolSize(4).build();
  }

  @Test
  void aRetryOnTheApiNodeIsRunByTheWorkerOnAnotherAndAPauseHoldsItBack() {
    try (PostgresJobStore apiStore = node(); PostgresJobStore workerStore = node();
        JobManager api = JobManager.builder().store(apiStore).generator(new EchoGenerator()).build();
        JobManager workers = JobManager.builder().store(workerStore).generator(new EchoGenerator()).build()) {
      Job job = api.create(JobRequest.of("cross-alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 2)));
      // Its one attempt fails, as a worker would have it (before any worker runs).
      Job claimed = apiStore.claim(new ClaimRequest("w0", Set.of("echo"), 1, Duration.ofMinutes(1))).get(0);
      apiStore.fail(new Failure(new Lease(claimed.id(), claimed.workerId(), claimed.attempts()), "provider down", null));
      JobAdmin admin = JobAdmin.of(api);
      admin.pause("echo", "ops");

      try (JobWorker worker = JobWorker.builder(workers).pollInterval(SLOW_POLL).build().start()) {
        assertThat(admin.search(JobQuery.allOwners().statuses(JobStatus.FAILED).build()).items()).extracting(Job::id)
            .containsExactly(job.id());
        admin.retry(job.id(), "ops");
        Waits.pause(Duration.ofSeconds(1)); // a window in which nothing may start: the retry's hint woke the worker
        assertThat(workers.get("cross-alice", job.id()).status()).as("paused on the API node: held back on the worker node")
            .isEqualTo(JobStatus.PENDING);

        admin.resume("echo", "ops");
        Waits.until("the retried job to complete on the worker node", WAIT,
            () -> workers.get("cross-alice", job.id()).status() == JobStatus.COMPLETED,
            () -> workers.get("cross-alice", job.id()));
      }
      assertThat(api.get("cross-alice", job.id()).resultTree().get("text").asText()).isEqualTo("hihi");
    }
  }
}
