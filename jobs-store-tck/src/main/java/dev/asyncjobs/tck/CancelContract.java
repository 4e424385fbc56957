package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Cancellation by the owner, and the isolation of one owner's jobs from another's. */
public interface CancelContract extends StoreFixture {

  /** Cancelling a PENDING job makes it CANCELLED at once. */
  @Test
  default void cancellingAPendingJobCancelsItAtOnce() {
    Job job = pending();
    Instant now = clock().advance(Duration.ofSeconds(5));

    Job cancelled = store().cancel(OWNER, job.id());

    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(now);
    assertThat(cancelled.updatedAt()).isEqualTo(now);
    assertThat(cancelled.attempts()).isZero();
    assertSameJob(reload(job), cancelled);
    assertThat(claim(5, TYPE)).as("a cancelled job is never claimed").isEmpty();
  }

  /** Cancelling a PROCESSING job requests the cancellation and leaves the job running. */
  @Test
  default void cancellingAProcessingJobRequestsCancellationAndLeavesItRunning() {
    Job claimed = processing();
    Instant now = clock().advance(Duration.ofSeconds(2));

    Job flagged = store().cancel(OWNER, claimed.id());

    assertThat(flagged.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(flagged.cancelRequested()).isTrue();
    assertThat(flagged.workerId()).isEqualTo(WORKER);
    assertThat(flagged.leaseUntil()).isEqualTo(claimed.leaseUntil());
    assertThat(flagged.finishedAt()).isNull();
    assertThat(flagged.updatedAt()).isEqualTo(now);
    assertSameJob(reload(claimed), flagged);
    assertThat(store().reportProgress(new WorkerProgress(lease(claimed), 10, "stopping soon")).cancelRequested()).isTrue();
  }

  /** Cancelling a PROCESSING job twice changes nothing the second time. */
  @Test
  default void cancellingAProcessingJobTwiceChangesNothingTheSecondTime() {
    Job claimed = processing();
    Job first = store().cancel(OWNER, claimed.id());
    clock().advance(Duration.ofSeconds(3));

    Job second = store().cancel(OWNER, claimed.id());

    assertSameJob(second, first);
    assertUnchanged(first);
  }

  /** Acknowledging a cancel ends the attempt as CANCELLED. */
  @Test
  default void acknowledgingACancelEndsTheAttemptAsCancelled() {
    Job claimed = processing();
    store().cancel(OWNER, claimed.id());
    Instant now = clock().advance(Duration.ofSeconds(1));

    Job ended = store().acknowledgeCancel(lease(claimed));

    assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(ended.finishedAt()).isEqualTo(now);
    assertThat(ended.leaseUntil()).isNull();
    assertThat(ended.result()).isNull();
    assertSameJob(reload(claimed), ended);
  }

  /** Completing after a cancel request cancels the job and drops the result. */
  @Test
  default void completingAfterACancelRequestCancelsAndDropsTheResult() {
    Job claimed = processing();
    store().cancel(OWNER, claimed.id());
    Instant now = clock().advance(Duration.ofSeconds(1));

    Job ended = store().complete(new Completion(lease(claimed), "{\"url\":\"https://example.test/late.png\"}", Duration.ofSeconds(9)));

    assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(ended.result()).isNull();
    assertThat(ended.finishedAt()).isEqualTo(now);
    assertSameJob(reload(claimed), ended);
    if (declares(StoreCapability.STATISTICS)) {
      assertThat(store().recentDurations(TYPE, 10)).as("a cancelled job is no completed duration").isEmpty();
    }
  }

  /** Failing or releasing after a cancel request cancels the job. */
  @Test
  default void failingOrReleasingAfterACancelRequestCancels() {
    Job retried = processing(job().type("x_retry"));
    Job released = processing(job().type("x_release"));
    Job failed = processing(job().type("x_fail"));
    for (Job j : List.of(retried, released, failed)) {
      store().cancel(OWNER, j.id());
    }

    assertThat(store().fail(new Failure(lease(retried), "busy", clock().instant().plusSeconds(5))).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(store().release(lease(released)).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(store().fail(Failure.permanent(lease(failed), "broken")).status()).isEqualTo(JobStatus.CANCELLED);
    for (Job j : List.of(retried, released, failed)) {
      assertThat(reload(j).status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(reload(j).finishedAt()).isEqualTo(clock().instant());
    }
    clock().advance(Duration.ofMinutes(1));
    assertThat(claim(5, "x_retry", "x_release", "x_fail")).isEmpty();
  }

  /** Cancelling a finished job is an illegal state and changes nothing. */
  @Test
  default void cancellingAFinishedJobIsAnIllegalStateAndChangesNothing() {
    Job completed = processing(job().type("f_completed"));
    store().complete(new Completion(lease(completed), "{}", Duration.ofSeconds(1)));
    Job failed = processing(job().type("f_failed"));
    store().fail(Failure.permanent(lease(failed), "no"));
    Job cancelled = store().cancel(OWNER, insert(job().type("f_cancelled")).id());

    for (Job j : List.of(reload(completed), reload(failed), cancelled)) {
      assertThatThrownBy(() -> store().cancel(OWNER, j.id()))
          .as("cancel of a %s job", j.status())
          .isInstanceOfSatisfying(IllegalJobStateException.class, e -> {
            assertThat(e.jobId()).isEqualTo(j.id());
            assertThat(e.status()).isEqualTo(j.status());
          });
      assertUnchanged(j);
    }
  }

  /** Cancelling an unknown job is a not-found error. */
  @Test
  default void cancellingAnUnknownJobIsNotFound() {
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> store().cancel(OWNER, unknown))
        .isInstanceOfSatisfying(JobNotFoundException.class, e -> assertThat(e.jobId()).isEqualTo(unknown));
  }

  /**
   * Asserts that {@code foreign} fails exactly like {@code unknown}: same type, code and message but for the id.
   *
   * @param foreign what the call on another owner's job threw
   * @param foreignId the id of that job
   * @param unknown what the same call on an unknown id threw
   * @param unknownId that unknown id
   */
  default void assertAnswersLikeAnUnknownId(Throwable foreign, UUID foreignId, Throwable unknown, UUID unknownId) {
    assertThat(foreign).isInstanceOf(JobNotFoundException.class).hasSameClassAs(unknown);
    assertThat(((JobNotFoundException) foreign).jobId()).isEqualTo(foreignId);
    assertThat(((JobException) foreign).code()).isEqualTo(((JobException) unknown).code());
    assertThat(foreign.getMessage().replace(foreignId.toString(), "<id>"))
        .isEqualTo(unknown.getMessage().replace(unknownId.toString(), "<id>"))
        .doesNotContain(OWNER);
  }

  /** Cancelling another owner's job answers exactly like an unknown id, and changes nothing. */
  @Test
  default void cancellingAnotherOwnersJobAnswersExactlyLikeAnUnknownIdAndChangesNothing() {
    Job waiting = insert(job().type("o_pending"));
    Job running = processing(job().type("o_running"));
    UUID unknown = UUID.randomUUID();
    Throwable notFound = catchThrowable(() -> store().cancel(OTHER_OWNER, unknown));

    for (Job j : List.of(waiting, running)) {
      Throwable refused = catchThrowable(() -> store().cancel(OTHER_OWNER, j.id()));
      assertAnswersLikeAnUnknownId(refused, j.id(), notFound, unknown);
      assertUnchanged(j);
    }
  }

  /**
   * Updating the progress of another owner's job answers exactly like an unknown id, and changes
   * nothing.
   */
  @Test
  default void updatingTheProgressOfAnotherOwnersJobAnswersExactlyLikeAnUnknownIdAndChangesNothing() {
    Job running = processing();
    UUID unknown = UUID.randomUUID();
    Throwable notFound = catchThrowable(() -> store().updateProgress(new OwnerProgress(OTHER_OWNER, unknown, 10, null)));

    Throwable refused = catchThrowable(() -> store().updateProgress(new OwnerProgress(OTHER_OWNER, running.id(), 10, "mine now")));

    assertAnswersLikeAnUnknownId(refused, running.id(), notFound, unknown);
    assertUnchanged(running);
  }

  /** Another owner's finished job also answers not-found, rather than revealing its state. */
  @Test
  default void anotherOwnersFinishedJobAlsoAnswersNotFoundRatherThanRevealingItsState() {
    Job done = processing();
    store().complete(new Completion(lease(done), "{}", Duration.ofSeconds(1)));

    assertThatThrownBy(() -> store().cancel(OTHER_OWNER, done.id())).isInstanceOf(JobNotFoundException.class);
    assertThatThrownBy(() -> store().updateProgress(new OwnerProgress(OTHER_OWNER, done.id(), 100, null))).isInstanceOf(JobNotFoundException.class);
  }
}
