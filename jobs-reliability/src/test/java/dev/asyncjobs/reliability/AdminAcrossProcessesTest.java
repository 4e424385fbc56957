package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.LimitedWorkerMain;
import dev.asyncjobs.reliability.child.SlotGenerator;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An operator's actions on the API node reach a worker in another JVM: this JVM (no worker) pauses
 * the type and retries a failed job through {@link JobAdmin}; the worker process, started after the
 * pause, leaves the retried job alone until the type is resumed here, then runs it.
 */
class AdminAcrossProcessesTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "admin");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aPauseAndARetryOnTheApiNodeAreObeyedByAWorkerProcess() {
    ChildJvm worker = null;
    try (Schema schema = Schema.create(TestPostgres.server(), "admin");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store).generator(new SlotGenerator(null, null, "api"))
            .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      schema.execute(SlotGenerator.attemptLogDdl(schema.name()));
      Job job = jobs.create(JobRequest.builder("admin-owner", SlotGenerator.TYPE).payloadOf(new SlotGenerator.Work(1, 10))
          .maxAttempts(1).build());
      // Its one attempt fails before any worker runs (as a worker that met a provider error would leave it).
      Job claimed = store.claim(new ClaimRequest("w0", Set.of(SlotGenerator.TYPE), 1, Duration.ofMinutes(1))).get(0);
      store.fail(new Failure(new Lease(claimed.id(), claimed.workerId(), claimed.attempts()), "provider down", null));
      JobAdmin admin = JobAdmin.of(jobs);
      admin.pause(SlotGenerator.TYPE, "ops");

      List<String> options = new ArrayList<>(schema.childProperties());
      options.add("-Dworker.concurrency=2");
      worker = ChildJvm.start("admin-worker", LimitedWorkerMain.class, options, List.of("admin-worker"), LOGS);
      worker.awaitLine(l -> l.startsWith("READY"), WAIT, "READY");

      assertThat(admin.search(JobQuery.allOwners().statuses(JobStatus.FAILED).errorContains("provider").build()).items())
          .extracting(Job::id).containsExactly(job.id());
      admin.retry(job.id(), "ops");
      // A window in which nothing may start: the retry's wake-up hint reached the worker process,
      // which found the type paused.
      Waits.pause(Duration.ofSeconds(2));
      assertThat(jobs.get("admin-owner", job.id()).status()).as("paused on the API node: held back in the worker process")
          .isEqualTo(JobStatus.PENDING);

      admin.resume(SlotGenerator.TYPE, "ops");
      Waits.until("the retried job to complete in the worker process", WAIT,
          () -> jobs.get("admin-owner", job.id()).status() == JobStatus.COMPLETED, () -> jobs.get("admin-owner", job.id()));
      assertThat(schema.column("SELECT worker_id FROM " + schema.table("attempt_log"))).containsExactly("admin-worker");
      worker.send("STOP");
      worker.waitFor(Duration.ofSeconds(20));
    } finally {
      if (worker != null) {
        worker.close();
      }
    }
  }
}
