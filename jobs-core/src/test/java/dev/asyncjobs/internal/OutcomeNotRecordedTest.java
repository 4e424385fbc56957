package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.WorkerListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An outcome the store refuses to write (not for a lost lease): a failure's is reported with its
 * job through {@link WorkerListener#onOutcomeNotRecorded}, and a listener that implements only
 * {@link WorkerListener#onStoreError} hears it as the store error {@code finish}; a result is kept
 * and written again (each refusal reported as the store error {@code finish}), so the attempt that
 * produced it is not run again.
 */
class OutcomeNotRecordedTest {
  private final FakeStore store = new FakeStore();
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private @Nullable JobManager jobs;
  private @Nullable JobWorker worker;

  @AfterEach
  void closeEverything() {
    if (worker != null) {
      worker.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    store.close();
  }

  record Empty() {}

  /** Returns at once, or fails for good when {@code fail} is set. */
  private record Noop(boolean fail) implements Generator<Empty> {
    @Override
    public String type() {
      return FakeStore.WORKER_TYPE;
    }

    @Override
    public Class<Empty> payloadType() {
      return Empty.class;
    }

    @Override
    public Object generate(Empty payload, JobContext context) {
      if (fail) {
        throw new PermanentGenerationException("no");
      }
      return "done";
    }
  }

  private void run(boolean fail) {
    JobManager manager = JobManager.builder().store(store).generator(new Noop(fail)).build();
    jobs = manager;
    worker = JobWorker.builder(manager).workerId("w1")
        .listener(new WorkerListener() {
          @Override
          public void onOutcomeNotRecorded(Job job, RuntimeException error) {
            heard.add("not recorded: " + job.id() + " attempt " + job.attempts() + ": " + error.getMessage());
          }
        })
        .listener(new WorkerListener() {
          @Override
          public void onStoreError(String operation, RuntimeException error) {
            heard.add("store error: " + operation + ": " + error.getMessage());
          }
        })
        .listener(new WorkerListener() {
          @Override
          public void onCompleted(Job job, Duration duration) {
            heard.add("completed: " + job.id());
          }

          @Override
          public void onLeaseLost(Job job) {
            heard.add("lease lost: " + job.id());
          }
        })
        .build().start();
  }

  @Test
  void aRefusedCompletionIsKeptReportedAsTheStoreErrorFinishAndWrittenOnceTheStoreTakesIt() {
    store.failNext("completeAll", new JobStoreException("the database is down", null, null));
    Job job = store.addJobs(1).get(0);
    run(false);
    Await.until("the kept result written", () -> heard.contains("completed: " + job.id()));
    assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.find(job.id()).orElseThrow().attempts()).as("the attempt that ran, not a second one").isEqualTo(1);
    assertThat(heard).as("one refused write, reported; the outcome was recorded after all")
        .containsExactly("store error: finish: the database is down", "completed: " + job.id());
  }

  @Test
  void aWriteThatCommittedThoughTheStoreSaidItFailedIsReportedAsCompletedNotAsALostLease() {
    store.failAfterNextCompleteAll(new JobStoreException("the connection died before the answer", null, null));
    Job job = store.addJobs(1).get(0);
    run(false);
    Await.until("the completion reported", () -> heard.contains("completed: " + job.id()));
    assertThat(heard).containsExactly("store error: finish: the connection died before the answer", "completed: " + job.id());
  }

  @Test
  void aResultTheStoreRefusesAsInvalidIsGivenUpAtOnce() {
    store.failNext("completeAll", new InvalidRequestException("result", "the database cannot store it"));
    Job job = store.addJobs(1).get(0);
    run(false);
    Await.until("both listeners heard of the refused completion", () -> heard.size() == 2);
    assertThat(heard).containsExactlyInAnyOrder(
        "not recorded: " + job.id() + " attempt 1: the database cannot store it",
        "store error: finish: the database cannot store it");
    assertThat(store.find(job.id()).orElseThrow().status()).as("left to its lease").isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void aRefusedFailureIsReportedTheSameWay() {
    store.failNext("fail", new JobStoreException("the database is down", null, null));
    Job job = store.addJobs(1).get(0);
    run(true);
    Await.until("both listeners heard of the refused failure", () -> heard.size() == 2);
    assertThat(heard).containsExactlyInAnyOrder(
        "not recorded: " + job.id() + " attempt 1: the database is down",
        "store error: finish: the database is down");
  }
}
