package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How attempts end: complete, fail with and without a retry, release, and how attempts count. */
public interface LifecycleContract extends StoreFixture {

  /** Complete stores the result and finishes the job. */
  @Test
  default void completeStoresTheResultAndFinishesTheJob() {
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 60, "rendering"));
    Instant now = clock().advance(Duration.ofSeconds(42));

    Job done = store().complete(new Completion(lease(claimed), "{\"url\":\"https://example.test/a.png\",\"w\":512}", Duration.ofMillis(41_500)));

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertJsonEquals(done.result(), "{\"w\":512,\"url\":\"https://example.test/a.png\"}");
    assertThat(done.progress()).isEqualTo(100);
    assertThat(done.finishedAt()).isEqualTo(now);
    assertThat(done.updatedAt()).isEqualTo(now);
    assertThat(done.actualDuration()).isEqualTo(Duration.ofMillis(41_500));
    assertThat(done.leaseUntil()).isNull();
    assertThat(done.attempts()).isEqualTo(1);
    assertSameJob(reload(done), done);
  }

  /** Fail with a retry time and attempts left makes the job PENDING at that time. */
  @Test
  default void failWithARetryTimeAndAttemptsLeftMakesTheJobPendingAtThatTime() {
    Job claimed = processing(job().maxAttempts(3));
    Instant retryAt = clock().instant().plus(Duration.ofMinutes(2));

    Job failed = store().fail(new Failure(lease(claimed), "rate limited by provider", retryAt));

    assertThat(failed.status()).isEqualTo(JobStatus.PENDING);
    assertThat(failed.runAt()).isEqualTo(retryAt);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.errorMessage()).isEqualTo("rate limited by provider");
    assertThat(failed.leaseUntil()).isNull();
    assertThat(failed.finishedAt()).isNull();
    assertSameJob(reload(failed), failed);

    clock().advance(Duration.ofMinutes(2).minusMillis(1));
    assertThat(claim(5, TYPE)).as("not due before retryAt").isEmpty();
    clock().advance(Duration.ofMillis(1));
    assertThat(claimOne(TYPE).attempts()).isEqualTo(2);
  }

  /** Fail without a retry time fails the job for good. */
  @Test
  default void failWithoutARetryTimeFailsTheJobForGood() {
    Job claimed = processing(job().maxAttempts(5));
    Instant now = clock().advance(Duration.ofSeconds(4));

    Job failed = store().fail(Failure.permanent(lease(claimed), "prompt refused by provider"));

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorMessage()).isEqualTo("prompt refused by provider");
    assertThat(failed.finishedAt()).isEqualTo(now);
    assertThat(failed.leaseUntil()).isNull();
    assertThat(failed.result()).isNull();
    assertSameJob(reload(failed), failed);
    clock().advance(Duration.ofHours(1));
    assertThat(claim(5, TYPE)).isEmpty();
  }

  /** Fail with a retry time but no attempt left fails the job. */
  @Test
  default void failWithARetryTimeButNoAttemptLeftFailsTheJob() {
    Job claimed = processing(job().maxAttempts(1));

    Job failed = store().fail(new Failure(lease(claimed), "timeout", clock().instant().plusSeconds(10)));

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.finishedAt()).isEqualTo(clock().instant());
    assertThat(failed.errorMessage()).isEqualTo("timeout");
  }

  /** Attempts count across retries until the last one fails. */
  @Test
  default void attemptsCountAcrossRetriesUntilTheLastOneFails() {
    Job job = insert(job().maxAttempts(3));
    for (int attempt = 1; attempt <= 3; attempt++) {
      Job claimed = claimOne(TYPE);
      assertThat(claimed.id()).isEqualTo(job.id());
      assertThat(claimed.attempts()).isEqualTo(attempt);
      Instant retryAt = clock().instant().plusSeconds(10L * attempt);
      Job after = store().fail(new Failure(lease(claimed), "error " + attempt, retryAt));
      assertThat(after.attempts()).isEqualTo(attempt);
      if (attempt < 3) {
        assertThat(after.status()).isEqualTo(JobStatus.PENDING);
        clock().set(retryAt);
      } else {
        assertThat(after.status()).isEqualTo(JobStatus.FAILED);
        assertThat(after.errorMessage()).isEqualTo("error 3");
      }
    }
    clock().advance(Duration.ofHours(1));
    assertThat(claim(5, TYPE)).isEmpty();
  }

  /** The last error is kept through a retry. */
  @Test
  default void theLastErrorIsKeptThroughARetry() {
    Job claimed = processing();
    store().fail(new Failure(lease(claimed), "upstream 503", clock().instant()));

    Job again = claimOne(TYPE);

    assertThat(again.errorMessage()).isEqualTo("upstream 503");
    assertThat(again.attempts()).isEqualTo(2);
  }

  /** Progress starts at zero on every attempt. */
  @Test
  default void progressStartsAtZeroOnEveryAttempt() {
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 80, "almost"));
    store().fail(new Failure(lease(claimed), "lost connection", clock().instant()));

    Job again = claimOne(TYPE);

    assertThat(again.progress()).isZero();
    assertThat(store().reportProgress(new WorkerProgress(lease(again), 10, "starting over")).progress()).isEqualTo(10);
  }

  /** Release gives the job back, due now, without counting the attempt. */
  @Test
  default void releaseGivesTheJobBackDueNowWithoutCountingTheAttempt() {
    Job claimed = processing(job().maxAttempts(1));
    Instant now = clock().advance(Duration.ofSeconds(7));

    Job released = store().release(lease(claimed));

    assertThat(released.status()).isEqualTo(JobStatus.PENDING);
    assertThat(released.attempts()).isZero();
    assertThat(released.runAt()).isEqualTo(now);
    assertThat(released.leaseUntil()).isNull();
    assertThat(released.finishedAt()).isNull();
    assertSameJob(reload(released), released);
    Job again = claimOne(TYPE);
    assertThat(again.attempts()).as("a released attempt is not counted").isEqualTo(1);
    assertThat(store().fail(new Failure(lease(again), "boom", clock().instant())).status())
        .as("the one allowed attempt is still the first")
        .isEqualTo(JobStatus.FAILED);
  }

  /** {@code updatedAt} follows every change. */
  @Test
  default void updatedAtFollowsEveryChange() {
    Job job = pending();
    Instant claimedAt = clock().advance(Duration.ofSeconds(1));
    Job claimed = claimOne(TYPE);
    assertThat(claimed.updatedAt()).isEqualTo(claimedAt);
    Instant progressAt = clock().advance(Duration.ofSeconds(1));
    assertThat(store().reportProgress(new WorkerProgress(lease(claimed), 5, null)).updatedAt()).isEqualTo(progressAt);
    Instant doneAt = clock().advance(Duration.ofSeconds(1));
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(2)));
    Job done = reload(job);
    assertThat(done.updatedAt()).isEqualTo(doneAt);
    assertThat(done.createdAt()).isEqualTo(job.createdAt());
    assertThat(done.startedAt()).isEqualTo(claimedAt);
  }

  /** {@code completeAll} completes each job like {@code complete}, and skips lost leases. */
  @Test
  default void completeAllCompletesEachJobLikeCompleteAndSkipsLostLeases() {
    Job a = processing(job().type("ca_a"));
    Job b = processing(job().type("ca_b"));
    Job cancelling = processing(job().type("ca_c"));
    store().cancel(OWNER, cancelling.id());
    Job lost = processing(job().type("ca_lost"));
    Job lostBefore = reload(lost);
    Instant now = clock().advance(Duration.ofSeconds(8));

    List<Job> done =
        store().completeAll(List.of(
            new Completion(lease(a), "{\"n\":1}", Duration.ofSeconds(8)),
            new Completion(new Lease(lost.id(), OTHER_WORKER, 1), "{\"n\":2}", Duration.ofSeconds(8)),
            new Completion(lease(b), "{\"n\":3}", Duration.ofSeconds(7)),
            new Completion(lease(cancelling), "{\"n\":4}", Duration.ofSeconds(6))));

    assertThat(done).extracting(Job::id).containsExactlyInAnyOrder(a.id(), b.id(), cancelling.id());
    Job doneA = reload(a);
    assertThat(doneA.status()).isEqualTo(JobStatus.COMPLETED);
    assertJsonEquals(doneA.result(), "{\"n\":1}");
    assertThat(doneA.progress()).isEqualTo(100);
    assertThat(doneA.finishedAt()).isEqualTo(now);
    assertThat(doneA.actualDuration()).isEqualTo(Duration.ofSeconds(8));
    assertThat(doneA.leaseUntil()).isNull();
    assertThat(reload(b).actualDuration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(reload(cancelling).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(reload(cancelling).result()).isNull();
    assertUnchanged(lostBefore);
    assertThat(store().completeAll(List.of())).isEmpty();
  }
}
