package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code deleteFinishedBefore}: retention cleanup of final jobs. */
public interface CleanupContract extends StoreFixture {

  /**
   * A job of {@code type} that was claimed and completed now.
   *
   * @param type the job type
   * @return the job, COMPLETED
   */
  default Job completedNow(String type) {
    Job claimed = processing(job().type(type));
    return store().complete(new Completion(lease(claimed), "{\"ok\":true}", Duration.ofSeconds(1)));
  }

  /** Only final jobs that finished before the cutoff are deleted. */
  @Test
  default void onlyFinalJobsThatFinishedBeforeTheCutoffAreDeleted() {
    Job waiting = insert(job().type("d_pending"));
    Job running = processing(job().type("d_running"));
    clock().advance(Duration.ofSeconds(1));
    Job completed = completedNow("d_completed");
    Job failedClaim = processing(job().type("d_failed"));
    Job failed = store().fail(Failure.permanent(lease(failedClaim), "no"));
    Job cancelled = store().cancel(OWNER, insert(job().type("d_cancelled")).id());
    Instant cutoff = clock().advance(Duration.ofHours(1));
    Job atCutoff = completedNow("d_at_cutoff");
    clock().advance(Duration.ofDays(3));

    int deleted = store().deleteFinishedBefore(cutoff, 100);

    assertThat(deleted).isEqualTo(3);
    for (Job gone : List.of(completed, failed, cancelled)) {
      assertThat(store().find(gone.id())).as("%s job finished before the cutoff", gone.status()).isEmpty();
    }
    assertThat(reload(atCutoff).status()).as("finished exactly at the cutoff").isEqualTo(JobStatus.COMPLETED);
    assertUnchanged(waiting);
    assertThat(reload(running).status()).as("an old PROCESSING job").isEqualTo(JobStatus.PROCESSING);
    assertThat(store().query(JobQuery.forOwner(OWNER).build()).items())
        .extracting(Job::id)
        .containsExactlyInAnyOrder(waiting.id(), running.id(), atCutoff.id());
    assertThat(store().deleteFinishedBefore(cutoff, 100)).as("a second pass").isZero();
  }

  /** Cleanup deletes at most the limit. */
  @Test
  default void cleanupDeletesAtMostTheLimit() {
    for (int i = 0; i < 5; i++) {
      insert(job());
    }
    for (Job j : claim(5, TYPE)) {
      store().complete(new Completion(lease(j), "{}", Duration.ofSeconds(1)));
    }
    Instant cutoff = clock().advance(Duration.ofMinutes(1));

    assertThat(store().deleteFinishedBefore(cutoff, 2)).isEqualTo(2);
    assertThat(store().deleteFinishedBefore(cutoff, 2)).isEqualTo(2);
    assertThat(store().deleteFinishedBefore(cutoff, 2)).isEqualTo(1);
    assertThat(store().deleteFinishedBefore(cutoff, 2)).isZero();
    assertThat(store().query(JobQuery.allOwners().build()).items()).isEmpty();
  }

  /** Deleting jobs does not give their quota back. */
  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  default void deletingJobsDoesNotGiveTheirQuotaBack() {
    QuotaPolicy policy = owner -> new QuotaLimits(2, 100, Duration.ZERO);
    store().insert(new InsertRequest(List.of(job().build(), job().build()), policy));
    for (Job j : claim(2, TYPE)) {
      store().complete(new Completion(lease(j), "{}", Duration.ofSeconds(1)));
    }
    Instant cutoff = clock().advance(Duration.ofMinutes(1));
    QuotaWindow before = store().quotaWindow(OWNER);

    assertThat(store().deleteFinishedBefore(cutoff, 10)).isEqualTo(2);

    assertThat(store().quotaWindow(OWNER)).isEqualTo(before);
    assertThat(before.lastHour()).isEqualTo(2);
    assertThatThrownBy(() -> store().insert(new InsertRequest(List.of(job().build()), policy)))
        .isInstanceOfSatisfying(QuotaExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.PER_HOUR));
  }

  /** Cleanup with nothing old enough deletes nothing. */
  @Test
  default void cleanupWithNothingOldEnoughDeletesNothing() {
    Job done = completedNow(TYPE);
    assertThat(store().deleteFinishedBefore(done.finishedAt(), 10)).isZero();
    assertThat(store().deleteFinishedBefore(clock().instant().minusSeconds(1), 10)).isZero();
    assertSameJob(reload(done), done);
  }

  /** The idempotency key of a deleted job starts a new job. */
  @Test
  default void theIdempotencyKeyOfADeletedJobStartsANewJob() {
    Job claimed = processing(job().idempotencyKey("nightly-report"));
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));
    Instant cutoff = clock().advance(Duration.ofDays(1));
    assertThat(store().deleteFinishedBefore(cutoff, 10)).isEqualTo(1);

    Job again = insert(job().idempotencyKey("nightly-report").payload("{\"prompt\":\"another\"}"));

    assertThat(again.id()).isNotEqualTo(claimed.id());
    assertThat(again.status()).isEqualTo(JobStatus.PENDING);
  }
}
