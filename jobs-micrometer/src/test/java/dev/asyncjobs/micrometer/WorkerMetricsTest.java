package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.IMMEDIATE;
import static dev.asyncjobs.micrometer.Meters.OWNER;
import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.attemptTimer;
import static dev.asyncjobs.micrometer.Meters.attempts;
import static dev.asyncjobs.micrometer.Meters.count;
import static dev.asyncjobs.micrometer.Meters.create;
import static dev.asyncjobs.micrometer.Meters.queueWait;
import static dev.asyncjobs.micrometer.Meters.storeErrors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every counter and timer after real jobs ran on a real {@link JobWorker} over the in-memory store:
 * completed, retried, failed, cancelled, timed out, rescued, lease lost, released, store errors.
 */
class WorkerMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InMemoryJobStore memory = new InMemoryJobStore();
  private final WatchedStore watched = new WatchedStore(memory);
  private final JobMetrics metrics = JobMetrics.builder().build();
  private JobManager jobs;
  private JobWorker worker;

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    memory.close();
  }

  private JobManager manager(Scripted... generators) {
    jobs = JobManager.builder().store(watched.store()).generators(List.of(generators)).interceptor(metrics).build();
    metrics.monitor(jobs);
    metrics.bindTo(registry);
    return jobs;
  }

  @Test
  void eachOutcomeOfRealAttemptsIsCountedAndTimed() throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    manager(
        new Scripted("ok", (step, ctx) -> "done"),
        new Scripted("flaky", (step, ctx) -> {
          if (ctx.attempt() == 1) {
            throw new RetryableGenerationException("busy, try again");
          }
          return "done at last";
        }),
        new Scripted("broken", (step, ctx) -> {
          throw new PermanentGenerationException("this prompt can never work");
        }),
        new Scripted("slow", (step, ctx) -> {
          slowStarted.countDown();
          ctx.sleep(Duration.ofMinutes(1)); // ends early, with JobCancelledException, on cancel
          return "never";
        }),
        new Scripted("stuck", (step, ctx) -> {
          ctx.sleep(Duration.ofMinutes(1)); // ends at the timeout, interrupted
          return "never";
        }));
    worker = JobWorker.builder(jobs).listener(metrics).concurrency(8).retryPolicy(IMMEDIATE)
        .timeout("stuck", Duration.ofMillis(200)).build().start();

    create(jobs, "ok");
    create(jobs, "ok");
    Job flaky = create(jobs, "flaky");
    create(jobs, "broken");
    Job slow = create(jobs, "slow");
    create(jobs, "stuck", 1);
    assertThat(slowStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("slow job started").isTrue();
    jobs.cancel(OWNER, slow.id());

    Waits.until("every job's outcome counted", WAIT,
        () -> count(registry, "completed", "ok") == 2 && count(registry, "completed", "flaky") == 1
            && count(registry, "failed", "broken") == 1 && count(registry, "failed", "stuck") == 1
            && count(registry, "cancelled", "slow") == 1,
        registry::getMetersAsString);

    assertThat(jobs.get(OWNER, flaky.id()).attempts()).isEqualTo(2);
    assertThat(jobs.get(OWNER, slow.id()).status()).isEqualTo(JobStatus.CANCELLED);
    // created and started: one per job, one per attempt
    assertThat(count(registry, "submitted", "ok")).isEqualTo(2);
    for (String type : List.of("flaky", "broken", "slow", "stuck")) {
      assertThat(count(registry, "submitted", type)).as("created " + type).isEqualTo(1);
    }
    assertThat(count(registry, "started", "ok")).isEqualTo(2);
    assertThat(count(registry, "started", "flaky")).isEqualTo(2);
    assertThat(count(registry, "started", "broken")).isEqualTo(1);
    assertThat(count(registry, "started", "slow")).isEqualTo(1);
    assertThat(count(registry, "started", "stuck")).isEqualTo(1);
    // the outcomes, each counted once and nowhere else
    assertThat(count(registry, "retried", "flaky")).isEqualTo(1);
    assertThat(count(registry, "failed", "flaky")).isZero();
    assertThat(count(registry, "completed", "broken")).isZero();
    assertThat(count(registry, "retried", "broken")).isZero();
    assertThat(count(registry, "timed.out", "stuck")).isEqualTo(1);
    assertThat(count(registry, "timed.out", "slow")).isZero();
    assertThat(count(registry, "failed", "slow")).isZero();
    for (String type : List.of("ok", "flaky", "broken", "slow", "stuck")) {
      for (String nothing : List.of("rescued", "lease.lost", "released")) {
        assertThat(count(registry, nothing, type)).as(nothing + " " + type).isZero();
      }
    }

    // one attempt timing per attempt, tagged with how it ended; a timed-out attempt is timed once
    assertThat(attempts(registry, "ok", "completed")).isEqualTo(2);
    assertThat(attempts(registry, "flaky", "retried")).isEqualTo(1);
    assertThat(attempts(registry, "flaky", "completed")).isEqualTo(1);
    assertThat(attempts(registry, "broken", "failed")).isEqualTo(1);
    assertThat(attempts(registry, "slow", "cancelled")).isEqualTo(1);
    assertThat(attempts(registry, "stuck", "timed_out")).isEqualTo(1);
    assertThat(attempts(registry, "stuck", "failed")).isZero();
    assertThat(attemptTimer(registry, "stuck", "timed_out").totalTime(TimeUnit.MILLISECONDS))
        .as("the stuck attempt ran until its 200 ms timeout").isGreaterThanOrEqualTo(100);
    assertThat(attemptTimer(registry, "slow", "cancelled").totalTime(TimeUnit.NANOSECONDS)).isPositive();
    // a queue wait per attempt
    assertThat(queueWait(registry, "ok").count()).isEqualTo(2);
    assertThat(queueWait(registry, "flaky").count()).isEqualTo(2);
    assertThat(queueWait(registry, "stuck").count()).isEqualTo(1);
    assertThat(storeErrors(registry, "claim")).isZero();
  }

  @Test
  void lostLeasesRescuesStoreErrorsAndReleasesAreCounted() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch shutdownStarted = new CountDownLatch(1);
    manager(
        new Scripted("hold", (step, ctx) -> {
          if (ctx.attempt() == 1) {
            firstStarted.countDown();
            ctx.sleep(Duration.ofMinutes(1)); // interrupted when the lease is lost
          }
          return "done on attempt " + ctx.attempt();
        }),
        new Scripted("long", (step, ctx) -> {
          shutdownStarted.countDown();
          ctx.sleep(Duration.ofMinutes(1)); // interrupted at shutdown
          return "never";
        }));
    worker = JobWorker.builder(jobs).listener(metrics).leaseDuration(Duration.ofMillis(600))
        .heartbeatInterval(Duration.ofMillis(100)).rescueInterval(Duration.ofMillis(100))
        .shutdownGracePeriod(Duration.ofMillis(100)).build().start();

    Job held = create(jobs, "hold");
    assertThat(firstStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first attempt started").isTrue();
    // Heartbeats fail: once the lease has surely expired the worker stops the attempt (lease lost),
    // and its rescue finds the expired lease and puts the job back (rescued).
    watched.failHeartbeats = true;
    Waits.until("the lease loss counted", WAIT, () -> count(registry, "lease.lost", "hold") == 1, registry::getMetersAsString);
    watched.failHeartbeats = false;
    Waits.until("the job rescued and completed", WAIT,
        () -> count(registry, "completed", "hold") == 1 && count(registry, "rescued", "hold") == 1,
        registry::getMetersAsString);

    Job done = jobs.get(OWNER, held.id());
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(count(registry, "started", "hold")).isEqualTo(2);
    assertThat(storeErrors(registry, "heartbeat")).isGreaterThanOrEqualTo(1);
    // the lost attempt is not timed (its end was never written); the second is
    assertThat(attempts(registry, "hold", "completed")).isEqualTo(1);
    for (String outcome : List.of("failed", "retried", "cancelled", "timed_out")) {
      assertThat(attempts(registry, "hold", outcome)).as(outcome).isZero();
    }
    assertThat(count(registry, "failed", "hold")).isZero();

    Job running = create(jobs, "long");
    assertThat(shutdownStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("long job started").isTrue();
    worker.close(); // the grace period passes; the attempt is interrupted and its job given back
    assertThat(count(registry, "released", "long")).isEqualTo(1);
    assertThat(jobs.get(OWNER, running.id()).status()).isEqualTo(JobStatus.PENDING);
    assertThat(attemptTimer(registry, "long", "failed").count()).isZero();
    assertThat(count(registry, "failed", "long")).isZero();
  }

  @Test
  void aRescueThatEndsTheJobCountsItsEndToo() throws Exception {
    manager(new Scripted("ok", (step, ctx) -> "done"));
    // A worker that died holding a job with no attempt left: claimed here directly, never heartbeated.
    Job job = create(jobs, "ok", 1);
    assertThat(memory.claim(new dev.asyncjobs.spi.ClaimRequest("dead-worker", java.util.Set.of("ok"), 1,
        Duration.ofMillis(50)))).extracting(Job::id).containsExactly(job.id());
    worker = JobWorker.builder(jobs).listener(metrics).rescueInterval(Duration.ofMillis(50)).build().start();

    Waits.until("the rescue counted", WAIT, () -> count(registry, "rescued", "ok") == 1, registry::getMetersAsString);
    assertThat(jobs.get(OWNER, job.id()).status()).isEqualTo(JobStatus.FAILED);
    assertThat(count(registry, "failed", "ok")).as("the rescue failed it for good, on this process").isEqualTo(1);
    assertThat(count(registry, "started", "ok")).as("the dead worker's attempt was not this process's").isZero();
  }

  @Test
  void aFailedClaimIsAStoreErrorTaggedWithItsOperation() {
    manager(new Scripted("ok", (step, ctx) -> "done"));
    watched.failClaims = true;
    worker = JobWorker.builder(jobs).listener(metrics).pollInterval(Duration.ofMillis(20)).build().start();
    create(jobs, "ok");
    Waits.until("a claim error counted", WAIT, () -> storeErrors(registry, "claim") >= 1, registry::getMetersAsString);
    watched.failClaims = false;
    Waits.until("the job completed once the store is back", WAIT, () -> count(registry, "completed", "ok") == 1,
        registry::getMetersAsString);
    assertThat(registry.get("asyncjobs.store.errors").counters()).allSatisfy(c ->
        assertThat(c.getId().getTag("operation")).isNotBlank());
  }
}
