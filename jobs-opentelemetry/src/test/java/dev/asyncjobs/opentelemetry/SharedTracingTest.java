package dev.asyncjobs.opentelemetry;

import static dev.asyncjobs.opentelemetry.Traces.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One {@link JobTracing} shared the ways a process shares it: by two workers (an attempt number
 * handed out again after a release), and registered twice on one worker.
 */
class SharedTracingTest {
  /**
   * Worker A releases attempt 1 at shutdown; worker B, in the same process, claims the job again
   * (attempt 1 once more, as a release does not count the attempt) before A's thread has reported
   * the release. A's span ends as released, B's is not touched by A's report and ends with B's own
   * outcome. The listener calls are made on two threads in that order, as the two workers would.
   */
  @Test
  void anAttemptNumberHandedOutAgainAfterAReleaseEndsEachSpanWithItsOwnOutcome() throws Exception {
    ExecutorService threadA = Executors.newSingleThreadExecutor();
    ExecutorService threadB = Executors.newSingleThreadExecutor();
    try (Traces traces = new Traces(); InMemoryJobStore store = new InMemoryJobStore();
        JobManager jobs = JobManager.builder().store(store).generator(new Probe(traces.sdk())).build()) {
      JobTracing tracing = JobTracing.create(traces.sdk());
      Job created = jobs.create(JobRequest.of("alice", Probe.TYPE, new Probe.Step("ok")));
      Job claimedByA = claim(store, "a");
      Job released = store.release(Lease.of(claimedByA));
      Job claimedByB = claim(store, "b");
      assertThat(List.of(claimedByA.attempts(), released.attempts(), claimedByB.attempts())).containsExactly(1, 0, 1);
      assertThat(released.status()).isEqualTo(JobStatus.PENDING);

      on(threadA, () -> tracing.onStarted(claimedByA));
      on(threadB, () -> tracing.onStarted(claimedByB));
      SpanData a = traces.await("A's span", s -> "a".equals(s.getAttributes().get(JobSpans.WORKER_ID)));
      assertThat(a.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("released");

      on(threadA, () -> tracing.onReleased(released)); // late: must not end B's span
      assertThat(traces.finished()).hasSize(1);
      assertThat(tracing.openAttemptSpans()).isOne();

      Job done = store.completeAll(List.of(new Completion(Lease.of(claimedByB), "{}", Duration.ZERO))).get(0);
      on(threadB, () -> tracing.onCompleted(done, Duration.ZERO));
      SpanData b = traces.await("B's span", s -> "b".equals(s.getAttributes().get(JobSpans.WORKER_ID)));
      assertThat(b.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("completed");
      assertThat(b.getAttributes().get(JobSpans.JOB_ID)).isEqualTo(created.id().toString());
      assertThat(tracing.openAttemptSpans()).isZero();
      traces.awaitNoSpanOpen();
    } finally {
      threadA.shutdownNow();
      threadB.shutdownNow();
    }
  }

  @Test
  void registeredTwiceOnOneWorkerEachAttemptStillHasOneSpan() {
    try (Traces traces = new Traces(); InMemoryJobStore store = new InMemoryJobStore()) {
      JobTracing tracing = JobTracing.create(traces.sdk());
      try (JobManager jobs = JobManager.builder().store(store).generator(new Probe(traces.sdk())).interceptor(tracing).build();
          JobWorker worker = JobWorker.builder(jobs).interceptor(tracing).interceptor(tracing)
              .listener(tracing).listener(tracing).pollInterval(Duration.ofMillis(50)).build().start()) {
        Job job = jobs.create(JobRequest.of("alice", Probe.TYPE, new Probe.Step("child")));
        SpanData call = traces.await("the generator's span", named("generator call"));
        SpanData process = traces.await("the attempt", named("process probe"));
        assertThat(call.getParentSpanId()).isEqualTo(process.getSpanId());
        assertThat(process.getAttributes().get(JobSpans.JOB_ID)).isEqualTo(job.id().toString());
        traces.awaitNoSpanOpen();
        assertThat(traces.finished()).filteredOn(named("process probe")).hasSize(1);
        assertThat(tracing.openAttemptSpans()).isZero();
      }
    }
  }

  private static Job claim(InMemoryJobStore store, String worker) {
    return store.claim(new ClaimRequest(worker, Set.of(Probe.TYPE.name()), 1, Duration.ofMinutes(1))).get(0);
  }

  private static void on(ExecutorService thread, Runnable call) throws Exception {
    thread.submit(call).get(Traces.WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
