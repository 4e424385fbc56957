package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit: the store call that a batch shares, and how each submitter hears its outcome. */
class CompletionBatcherTest {
  private static final String WORKER = "w1";
  private static final long CLOSE_WAIT_NANOS = Await.DEADLINE.toNanos();

  private final FakeStore store = new FakeStore();
  private final AtomicReference<Thread> writerThread = new AtomicReference<>();
  private final ThreadFactory writerFactory = r -> {
    Thread t = new Thread(r, "test-completion-writer");
    t.setDaemon(true);
    writerThread.set(t);
    return t;
  };

  private @Nullable CompletionBatcher started;

  @AfterEach
  void openGatesAndClose() throws InterruptedException {
    store.completeAllGate.open();
    if (started != null) {
      started.close(CLOSE_WAIT_NANOS);
    }
    store.close();
  }

  /** One submitter's outcome, and the thread it heard it on. */
  private static final class Heard implements CompletionBatcher.Callback {
    final CompletableFuture<Job> outcome = new CompletableFuture<>();
    volatile Thread thread;

    @Override
    public void written(Job job) {
      thread = Thread.currentThread();
      outcome.complete(job);
    }

    @Override
    public void refused(RuntimeException error) {
      thread = Thread.currentThread();
      outcome.completeExceptionally(error);
    }

    Job job() throws Exception {
      return outcome.get(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    Throwable error() throws Exception {
      try {
        Job job = job();
        throw new AssertionError("expected a refusal, was written: " + job);
      } catch (ExecutionException e) {
        return e.getCause();
      }
    }
  }

  private static Completion completion(Lease lease) {
    return new Completion(lease, "{\"ok\":true}", Duration.ofMillis(3));
  }

  private CompletionBatcher startedBatcher(int maxBatch) {
    CompletionBatcher b = new CompletionBatcher(store, maxBatch);
    b.startWriter(writerFactory);
    started = b;
    return b;
  }

  /** Submits the first lease and returns once its write is held at the gate. */
  private Heard submitAndHoldTheWrite(CompletionBatcher b, Lease lease) throws InterruptedException {
    store.completeAllGate.close();
    Heard first = new Heard();
    b.submit(completion(lease), first);
    store.completeAllGate.awaitWaiting(1, Await.DEADLINE);
    return first;
  }

  @Test
  void completionsArrivingWhileAWriteIsInFlightGoOutTogetherInTheNextCall() throws Exception {
    List<Lease> leases = store.claimLeases(11, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    Heard first = submitAndHoldTheWrite(b, leases.get(0));
    List<Heard> rest = new ArrayList<>();
    for (Lease lease : leases.subList(1, 11)) {
      Heard h = new Heard();
      b.submit(completion(lease), h);
      rest.add(h);
    }
    assertThat(store.completeAllSizes()).as("the ten wait while the first write is in flight").containsExactly(1);

    store.completeAllGate.open();
    assertThat(first.job().status()).isEqualTo(JobStatus.COMPLETED);
    for (Heard h : rest) {
      assertThat(h.job().status()).isEqualTo(JobStatus.COMPLETED);
    }
    assertThat(store.completeAllSizes()).containsExactly(1, 10);
    assertThat(store.calls("complete")).isZero();
  }

  @Test
  void aBacklogGoesOutInBatchesOfAtMostTheMaximum() throws Exception {
    int max = AttemptRunner.MAX_COMPLETION_BATCH;
    List<Lease> leases = store.claimLeases(1 + max + 3, WORKER);
    CompletionBatcher b = startedBatcher(max);
    submitAndHoldTheWrite(b, leases.get(0));
    List<Heard> rest = new ArrayList<>();
    for (Lease lease : leases.subList(1, leases.size())) {
      Heard h = new Heard();
      b.submit(completion(lease), h);
      rest.add(h);
    }
    store.completeAllGate.open();
    for (Heard h : rest) {
      assertThat(h.job().status()).isEqualTo(JobStatus.COMPLETED);
    }
    assertThat(store.completeAllSizes()).containsExactly(1, max, 3);
  }

  @Test
  void aLoneCompletionGoesOutAtOnceWithoutWaitingForCompany() throws Exception {
    List<Lease> leases = store.claimLeases(2, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    for (Lease lease : leases) {
      Heard h = new Heard();
      b.submit(completion(lease), h);
      // Nothing else is submitted: it is written alone, and heard on the writer thread.
      assertThat(h.job().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.thread).isSameAs(writerThread.get());
    }
    assertThat(store.completeAllSizes()).containsExactly(1, 1);
  }

  @Test
  void aLostLeaseInABatchRefusesOnlyThatCompletion() throws Exception {
    List<Lease> leases = store.claimLeases(4, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    submitAndHoldTheWrite(b, leases.get(0));
    Lease held1 = leases.get(1);
    Lease lost = new Lease(leases.get(2).jobId(), WORKER, leases.get(2).attempt() + 1); // an attempt this worker no longer runs
    Lease held3 = leases.get(3);
    Heard h1 = new Heard();
    Heard hLost = new Heard();
    Heard h3 = new Heard();
    b.submit(completion(held1), h1);
    b.submit(completion(lost), hLost);
    b.submit(completion(held3), h3);
    store.completeAllGate.open();

    assertThat(h1.job().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(h3.job().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(hLost.error()).isInstanceOfSatisfying(
        LeaseLostException.class, e -> assertThat(e.jobId()).isEqualTo(lost.jobId()));
    assertThat(store.completeAllSizes()).containsExactly(1, 3);
    assertThat(store.job(lost.jobId()).status()).isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void aStoreFailureReachesEveryCallbackOfItsBatchAndTheWriterGoesOn() throws Exception {
    List<Lease> leases = store.claimLeases(5, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    Heard first = submitAndHoldTheWrite(b, leases.get(0));
    JobStoreException outage = new JobStoreException("connection reset", "08006", null);
    store.failNext("completeAll", outage); // the held call has passed that check: this is the next one
    List<Heard> batch = new ArrayList<>();
    for (Lease lease : leases.subList(1, 4)) {
      Heard h = new Heard();
      b.submit(completion(lease), h);
      batch.add(h);
    }
    store.completeAllGate.open();

    assertThat(first.job().status()).isEqualTo(JobStatus.COMPLETED);
    for (Heard h : batch) {
      assertThat(h.error()).isSameAs(outage);
    }
    for (Lease lease : leases.subList(1, 4)) {
      assertThat(store.job(lease.jobId()).status()).as("nothing written").isEqualTo(JobStatus.PROCESSING);
    }
    Heard after = new Heard();
    b.submit(completion(leases.get(4)), after);
    assertThat(after.job().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.completeAllSizes()).containsExactly(1, 3, 1);
  }

  @Test
  void aThrowingCallbackStopsNeitherTheRestOfItsBatchNorTheWriter() throws Exception {
    List<Lease> leases = store.claimLeases(4, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    submitAndHoldTheWrite(b, leases.get(0));
    AtomicInteger thrown = new AtomicInteger();
    b.submit(completion(leases.get(1)), new CompletionBatcher.Callback() {
      @Override
      public void written(Job job) {
        thrown.incrementAndGet();
        throw new IllegalStateException("a broken callback");
      }

      @Override
      public void refused(RuntimeException error) {}
    });
    Heard second = new Heard();
    b.submit(completion(leases.get(2)), second);
    store.completeAllGate.open();

    assertThat(second.job().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(thrown.get()).isEqualTo(1);
    Heard later = new Heard();
    b.submit(completion(leases.get(3)), later);
    assertThat(later.job().status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void closeWritesWhatIsQueuedThenLaterSubmitsAreWrittenOnTheCallersThread() throws Exception {
    List<Lease> leases = store.claimLeases(4, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    Heard first = submitAndHoldTheWrite(b, leases.get(0));
    Heard queued1 = new Heard();
    Heard queued2 = new Heard();
    b.submit(completion(leases.get(1)), queued1);
    b.submit(completion(leases.get(2)), queued2);
    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      try {
        b.close(CLOSE_WAIT_NANOS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closed.countDown();
    }, "test-closer");
    closer.start();
    store.completeAllGate.open();
    assertThat(closed.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("close returned").isTrue();

    for (Heard h : List.of(first, queued1, queued2)) {
      assertThat(h.job().status()).isEqualTo(JobStatus.COMPLETED);
    }
    assertThat(writerThread.get().isAlive()).as("the writer thread ended").isFalse();
    Heard late = new Heard();
    b.submit(completion(leases.get(3)), late);
    assertThat(late.outcome).as("written before submit returned").isDone();
    assertThat(late.thread).isSameAs(Thread.currentThread());
    assertThat(late.job().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store.completeAllSizes()).containsExactly(1, 2, 1);
  }

  @Test
  void completeWritesOnTheCallersThreadAndThrowsWhenTheLeaseIsLost() {
    List<Lease> leases = store.claimLeases(2, WORKER);
    CompletionBatcher b = new CompletionBatcher(store, AttemptRunner.MAX_COMPLETION_BATCH);
    assertThat(b.complete(completion(leases.get(0))).status()).isEqualTo(JobStatus.COMPLETED);
    Lease stale = new Lease(leases.get(1).jobId(), "another-worker", leases.get(1).attempt());
    assertThatThrownBy(() -> b.complete(completion(stale))).isInstanceOf(LeaseLostException.class);
    assertThat(store.job(stale.jobId()).status()).isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void manySubmittersEachHearOnceAndEveryCompletionIsWrittenOnce() throws Exception {
    int threads = 4;
    int perThread = 100;
    List<Lease> leases = store.claimLeases(threads * perThread, WORKER);
    CompletionBatcher b = startedBatcher(AttemptRunner.MAX_COMPLETION_BATCH);
    AtomicInteger heard = new AtomicInteger();
    AtomicInteger heardTwice = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(leases.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Lease> mine = leases.subList(t * perThread, (t + 1) * perThread);
      Thread submitter = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (Lease lease : mine) {
          AtomicInteger times = new AtomicInteger();
          b.submit(completion(lease), new CompletionBatcher.Callback() {
            @Override
            public void written(Job job) {
              hear();
            }

            @Override
            public void refused(RuntimeException error) {
              hear();
            }

            private void hear() {
              if (times.incrementAndGet() > 1) {
                heardTwice.incrementAndGet();
              }
              heard.incrementAndGet();
              all.countDown();
            }
          });
        }
      }, "test-submitter-" + t);
      submitter.start();
      submitters.add(submitter);
    }
    go.countDown();
    assertThat(all.await(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("every submitter heard").isTrue();
    assertThat(heardTwice.get()).isZero();
    assertThat(heard.get()).isEqualTo(leases.size());
    assertThat(store.completeAllSizes().stream().mapToInt(Integer::intValue).sum()).isEqualTo(leases.size());
    assertThat(store.count(JobStatus.COMPLETED)).isEqualTo(leases.size());
    for (Thread t : submitters) {
      t.join();
    }
  }
}
