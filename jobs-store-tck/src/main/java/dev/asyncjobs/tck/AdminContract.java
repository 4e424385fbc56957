package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What operators do ({@link StoreCapability#ADMIN}): retry, delete, and finished jobs counted by type and time. */
@RequiresCapability(StoreCapability.ADMIN)
public interface AdminContract extends StoreFixture {

  /** A job that failed for good, with a last error. */
  private Job failedForGood(String error) {
    Job claimed = processing(job().maxAttempts(1));
    return store().fail(new Failure(lease(claimed), error, null));
  }

  /** A failed job goes back to PENDING, due now, with one attempt more; its history stays and it runs again. */
  @Test
  default void retryPutsAFailedJobBackWithOneMoreAttemptAndItRunsAgain() {
    Job failed = failedForGood("provider down");
    clock().advance(Duration.ofMinutes(5));

    Job again = store().retry(failed.id());

    assertThat(again.status()).isEqualTo(JobStatus.PENDING);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(again.maxAttempts()).isEqualTo(2);
    assertThat(again.runAt()).isEqualTo(clock().instant());
    assertThat(again.updatedAt()).isEqualTo(clock().instant());
    assertThat(again.finishedAt()).isNull();
    assertThat(again.errorMessage()).as("the last error stays until the next attempt").isEqualTo("provider down");
    assertThat(reload(again)).isEqualTo(again);
    List<JobEvent> events = store().readEvents(EventQuery.job(OWNER, failed.id(), 0, 100));
    assertThat(events).extracting(JobEvent::kind).endsWith(JobEvent.Kind.FAILED, JobEvent.Kind.RETRY_SCHEDULED);
    assertThat(events.get(events.size() - 1).status()).isEqualTo(JobStatus.PENDING);

    Job claimed = claimOne(TYPE);
    assertThat(claimed.id()).isEqualTo(failed.id());
    assertThat(claimed.attempts()).isEqualTo(2);
    assertThat(store().complete(new Completion(lease(claimed), "{}", Duration.ofMillis(5))).status()).isEqualTo(JobStatus.COMPLETED);
  }

  /** A cancelled job may be retried; a job that has not failed or been cancelled may not, and is left as it was. */
  @Test
  default void onlyFailedAndCancelledJobsAreRetried() {
    Job cancelled = store().cancel(OWNER, pending().id());
    assertThat(store().retry(cancelled.id()).status()).isEqualTo(JobStatus.PENDING);
    assertThat(claimOne(TYPE).id()).isEqualTo(cancelled.id());

    Job waiting = pending();
    Job running = processing(job().type(OTHER_TYPE));
    Job done = store().complete(new Completion(lease(running), "{}", Duration.ofMillis(5)));
    for (Job j : List.of(waiting, done)) {
      Job before = reload(j);
      assertThatThrownBy(() -> store().retry(j.id())).isInstanceOf(IllegalJobStateException.class);
      assertUnchanged(before);
    }
    assertThatThrownBy(() -> store().retry(UUID.randomUUID())).isInstanceOf(JobNotFoundException.class);
  }

  /** A finished job is deleted, whoever owns it; an unfinished one is refused and left as it was. */
  @Test
  default void deleteRemovesAFinishedJobOnly() {
    Job failed = failedForGood("no");
    Job others = store().cancel(OTHER_OWNER, insert(job().owner(OTHER_OWNER)).id());

    assertThat(store().delete(failed.id()).id()).isEqualTo(failed.id());
    assertThat(store().delete(others.id()).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(store().find(failed.id())).isEmpty();
    assertThat(store().find(others.id())).isEmpty();
    assertThat(store().query(JobQuery.allOwners().build()).items()).extracting(Job::id).doesNotContain(failed.id(), others.id());

    Job waiting = pending();
    assertThatThrownBy(() -> store().delete(waiting.id())).isInstanceOf(IllegalJobStateException.class);
    assertUnchanged(waiting);
    assertThatThrownBy(() -> store().delete(failed.id())).isInstanceOf(JobNotFoundException.class);
  }

  /** Finished jobs are counted by type, bucket and final status, within the window only. */
  @Test
  default void finishedJobsAreCountedByTypeBucketAndStatus() {
    Instant from = clock().instant();
    Job a = processing(job());
    store().complete(new Completion(lease(a), "{}", Duration.ofMillis(5)));
    Job b = processing(job());
    store().complete(new Completion(lease(b), "{}", Duration.ofMillis(5)));
    failedForGood("no");
    clock().advance(Duration.ofSeconds(90)); // the second minute
    store().cancel(OWNER, insert(job().type(OTHER_TYPE)).id());
    Job c = processing(job());
    store().complete(new Completion(lease(c), "{}", Duration.ofMillis(5)));
    clock().advance(Duration.ofMinutes(2)); // 3.5 minutes in: past the window [from, from + 3 min)
    Job late = processing(job().type(OTHER_TYPE));
    store().complete(new Completion(lease(late), "{}", Duration.ofMillis(5)));

    List<FinishedCount> counts = store().finishedCounts(from, from.plus(Duration.ofMinutes(3)), Duration.ofMinutes(1));

    assertThat(counts).containsExactly(
        new FinishedCount(TYPE, from, 2, 1, 0),
        new FinishedCount(TYPE, from.plus(Duration.ofMinutes(1)), 1, 0, 0),
        new FinishedCount(OTHER_TYPE, from.plus(Duration.ofMinutes(1)), 0, 0, 1));
    assertThat(store().finishedCounts(from.plus(Duration.ofMinutes(3)), from.plus(Duration.ofMinutes(4)), Duration.ofMinutes(1)))
        .containsExactly(new FinishedCount(OTHER_TYPE, from.plus(Duration.ofMinutes(3)), 1, 0, 0));
  }
}
