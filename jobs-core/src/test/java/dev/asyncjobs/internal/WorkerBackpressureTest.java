package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.WorkerListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's bounds, seen from the store: how many leases it holds while its completion writes
 * are held up, how far it claims ahead, how many claims it has on their way. The bounds come from
 * {@link WorkerRuntime}, not from numbers worked out again here.
 */
class WorkerBackpressureTest {
  private static final Duration POLL = Duration.ofMillis(10);
  /** Poll rounds a worker gets to claim what it must not (one of them per wake-up); ample for a claim. */
  private static final int ROUNDS = 30;

  private final FakeStore store = new FakeStore();
  /** Generator calls that have returned. */
  private final AtomicInteger returned = new AtomicInteger();
  private @Nullable JobManager jobs;
  private @Nullable JobWorker worker;

  @AfterEach
  void closeEverything() {
    store.claimGate.open();
    store.completeAllGate.open();
    if (worker != null) {
      worker.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    store.close();
  }

  record Empty() {}

  /** Returns at once: the worker's bookkeeping, not the work, is under test. */
  private final class Noop implements Generator<Empty> {
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
      returned.incrementAndGet();
      return Empty.class.getSimpleName();
    }
  }

  /** Starts a worker of the given shape; {@code done} counts its completions down. */
  private JobWorker start(int concurrency, int claimBatchSize, CountDownLatch done) {
    JobManager manager = JobManager.builder().store(store).generator(new Noop()).build();
    jobs = manager;
    JobWorker w = JobWorker.builder(manager).workerId("w1").concurrency(concurrency).claimBatchSize(claimBatchSize)
        .pollInterval(POLL).listener(new WorkerListener() {
          @Override
          public void onCompleted(Job job, Duration duration) {
            done.countDown();
          }
        }).build();
    worker = w;
    return w.start();
  }

  /** Gives the worker {@link #ROUNDS} poll rounds, each with a wake-up, to claim what it should not. */
  private static void giveItRounds(JobWorker w) throws InterruptedException {
    for (int i = 0; i < ROUNDS; i++) {
      w.wakeUp();
      TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
    }
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertThat(latch.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
  }

  @Test
  void whileCompletionWritesAreHeldClaimingStopsAtTheLeaseBoundAndResumesWhenTheyGoThrough() throws Exception {
    int concurrency = 4;
    int batch = 8;
    int allowance = WorkerRuntime.writeAllowance(concurrency, batch);
    int bound = WorkerRuntime.maxLeasesHeld(concurrency, batch);
    int total = bound + 200;
    store.addJobs(total);
    store.completeAllGate.close();
    CountDownLatch done = new CountDownLatch(total);
    JobWorker w = start(concurrency, batch, done);

    store.completeAllGate.awaitWaiting(1, Await.DEADLINE);
    // Finished attempts up to the allowance may wait for their write, and the slots stay usable.
    Await.until("the write backlog filled (" + store.count(JobStatus.PROCESSING) + " leases)",
        () -> store.count(JobStatus.PROCESSING) >= allowance + concurrency);
    Await.until("every claimed job ran", () -> returned.get() == store.count(JobStatus.PROCESSING));
    giveItRounds(w);
    assertThat(store.count(JobStatus.PENDING)).as("due jobs are left: the bound, not the queue, stopped it")
        .isGreaterThanOrEqualTo(total - bound);
    assertThat(store.maxProcessing()).as("leases held while writes are held").isLessThanOrEqualTo(bound);
    assertThat(store.completeAllSizes()).as("the first write is still held").hasSize(1);

    store.completeAllGate.open();
    await(done, "every job completed once writes went through");
    assertThat(store.count(JobStatus.COMPLETED)).isEqualTo(total);
    assertThat(store.maxProcessing()).as("leases held, ever").isLessThanOrEqualTo(bound);
    List<Integer> sizes = store.completeAllSizes();
    // The backlog (every lease held, short of a completion batch) goes out in the one write after the held one.
    assertThat(sizes.get(0) + sizes.get(1)).as("the held write and the next, of %s", sizes)
        .isGreaterThanOrEqualTo(allowance + concurrency);
    assertThat(sizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(AttemptRunner.MAX_COMPLETION_BATCH));
  }

  @Test
  void jobsClaimedAndNotYetRunNeverExceedTheConcurrencyAndOnePrefetchBatch() throws Exception {
    int concurrency = 2;
    int batch = 8;
    int bound = concurrency + WorkerRuntime.maxPrefetch(batch);
    int total = 300;
    AtomicInteger claimed = new AtomicInteger();
    AtomicInteger maxAhead = new AtomicInteger();
    // At each claim: every job claimed so far whose generator has not returned, this claim's included.
    store.onClaimed(jobs -> maxAhead.accumulateAndGet(claimed.addAndGet(jobs.size()) - returned.get(), Math::max));
    store.addJobs(total);
    CountDownLatch done = new CountDownLatch(total);
    start(concurrency, batch, done);

    await(done, "every job completed");
    assertThat(maxAhead.get()).as("jobs claimed and not yet run").isLessThanOrEqualTo(bound);
    assertThat(maxAhead.get()).as("short jobs are claimed ahead of the free slots").isGreaterThan(concurrency);
  }

  @Test
  void noMoreThanMaxClaimsInFlightAreOnTheirWayAtOnce() throws Exception {
    int concurrency = 8;
    int batch = 2; // four claims would fit the free slots
    int total = 40;
    store.addJobs(total);
    store.claimGate.close();
    CountDownLatch done = new CountDownLatch(total);
    JobWorker w = start(concurrency, batch, done);

    store.claimGate.awaitWaiting(WorkerRuntime.MAX_CLAIMS_IN_FLIGHT, Await.DEADLINE);
    giveItRounds(w);
    assertThat(store.claimGate.waiting()).isEqualTo(WorkerRuntime.MAX_CLAIMS_IN_FLIGHT);
    assertThat(store.maxClaimsInFlight()).isEqualTo(WorkerRuntime.MAX_CLAIMS_IN_FLIGHT);

    store.claimGate.open();
    await(done, "every job completed once claims went through");
    assertThat(store.maxClaimsInFlight()).isEqualTo(WorkerRuntime.MAX_CLAIMS_IN_FLIGHT);
  }
}
