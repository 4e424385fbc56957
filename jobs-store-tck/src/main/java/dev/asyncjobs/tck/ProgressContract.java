package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Progress reports, by a worker under its lease and by the owner through the API. */
public interface ProgressContract extends StoreFixture {

  /** A worker's progress report stores the value and the message. */
  @Test
  default void aWorkersProgressReportStoresTheValueAndMessage() {
    Job claimed = processing();
    Instant now = clock().advance(Duration.ofSeconds(3));

    Job updated = store().reportProgress(new WorkerProgress(lease(claimed), 35, "step 2 of 6"));

    assertThat(updated.progress()).isEqualTo(35);
    assertThat(updated.progressMessage()).isEqualTo("step 2 of 6");
    assertThat(updated.updatedAt()).isEqualTo(now);
    assertThat(updated.status()).isEqualTo(JobStatus.PROCESSING);
    assertSameJob(reload(updated), updated);
  }

  /** The same progress may be reported again with a new message. */
  @Test
  default void theSameProgressMayBeReportedAgainWithANewMessage() {
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 50, "uploading"));
    Job again = store().reportProgress(new WorkerProgress(lease(claimed), 50, "still uploading"));
    assertThat(again.progress()).isEqualTo(50);
    assertThat(again.progressMessage()).isEqualTo("still uploading");
    assertThat(store().reportProgress(new WorkerProgress(lease(claimed), 100, null)).progress()).isEqualTo(100);
  }

  /** A worker's progress outside 0–100 is refused and changes nothing. */
  @Test
  default void aWorkersProgressOutsideZeroToHundredIsRefusedAndChangesNothing() {
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 20, "twenty"));
    Job before = reload(claimed);
    for (int bad : new int[] {-1, 101, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> store().reportProgress(new WorkerProgress(lease(claimed), bad, "bad")))
          .as("progress %d", bad)
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"));
    }
    assertUnchanged(before);
  }

  /** A worker's progress going backwards is refused and changes nothing. */
  @Test
  default void aWorkersProgressGoingBackwardsIsRefusedAndChangesNothing() {
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 70, "seventy"));
    Job before = reload(claimed);

    assertThatThrownBy(() -> store().reportProgress(new WorkerProgress(lease(claimed), 69, "back")))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"));
    assertUnchanged(before);
  }

  /** The owner may update the progress of a PROCESSING job. */
  @Test
  default void theOwnerMayUpdateTheProgressOfAProcessingJob() {
    Job claimed = processing();
    Instant now = clock().advance(Duration.ofSeconds(1));

    Job updated = store().updateProgress(new OwnerProgress(OWNER, claimed.id(), 45, "external worker"));

    assertThat(updated.progress()).isEqualTo(45);
    assertThat(updated.progressMessage()).isEqualTo("external worker");
    assertThat(updated.updatedAt()).isEqualTo(now);
    assertSameJob(reload(claimed), updated);
    assertThat(store().reportProgress(new WorkerProgress(lease(claimed), 45, null)).progress()).as("the lease still holds").isEqualTo(45);
  }

  /** The owner's progress update of a job that is not PROCESSING is an illegal state. */
  @Test
  default void theOwnersProgressUpdateOfAJobThatIsNotProcessingIsAnIllegalState() {
    Job waiting = insert(job().type("p_pending"));
    Job done = processing(job().type("p_done"));
    store().complete(new Completion(lease(done), "{}", Duration.ofSeconds(1)));
    Job doneNow = reload(done);

    assertThatThrownBy(() -> store().updateProgress(new OwnerProgress(OWNER, waiting.id(), 10, null)))
        .isInstanceOfSatisfying(IllegalJobStateException.class, e -> {
          assertThat(e.jobId()).isEqualTo(waiting.id());
          assertThat(e.status()).isEqualTo(JobStatus.PENDING);
        });
    assertThatThrownBy(() -> store().updateProgress(new OwnerProgress(OWNER, done.id(), 100, null)))
        .isInstanceOfSatisfying(IllegalJobStateException.class, e -> assertThat(e.status()).isEqualTo(JobStatus.COMPLETED));
    assertUnchanged(waiting);
    assertUnchanged(doneNow);
  }

  /** The owner's progress out of range, or going backwards, is refused and changes nothing. */
  @Test
  default void theOwnersProgressOutOfRangeOrGoingBackwardsIsRefusedAndChangesNothing() {
    Job claimed = processing();
    store().updateProgress(new OwnerProgress(OWNER, claimed.id(), 30, "thirty"));
    Job before = reload(claimed);

    for (int bad : new int[] {-5, 101, 29}) {
      assertThatThrownBy(() -> store().updateProgress(new OwnerProgress(OWNER, claimed.id(), bad, "bad")))
          .as("progress %d", bad)
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"));
    }
    assertUnchanged(before);
  }

  /** The owner's progress update of an unknown job is a not-found error. */
  @Test
  default void theOwnersProgressUpdateOfAnUnknownJobIsNotFound() {
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> store().updateProgress(new OwnerProgress(OWNER, unknown, 10, null)))
        .isInstanceOfSatisfying(JobNotFoundException.class, e -> assertThat(e.jobId()).isEqualTo(unknown));
  }
}
