package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.WorkerListener;
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
        .build().start();
  }

  @Test
  void aRefusedCompletionIsKeptReportedAsTheStoreErrorFinishAndWrittenOnceTheStoreTakesIt() {
    store.failNext("completeAll", new JobStoreException("the database is down", null, null));
    Job job = store.addJobs(1).get(0);
    run(false);
    Await.until("the kept result written", () -> store.find(job.id()).orElseThrow().status() == JobStatus.COMPLETED);
    assertThat(store.find(job.id()).orElseThrow().attempts()).as("the attempt that ran, not a second one").isEqualTo(1);
    assertThat(heard).as("one refused write, reported; the outcome was recorded after all")
        .containsExactly("store error: finish: the database is down");
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
