package dev.asyncjobs.micrometer;

import static dev.asyncjobs.micrometer.Meters.WAIT;
import static dev.asyncjobs.micrometer.Meters.count;
import static dev.asyncjobs.micrometer.Meters.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Two "processes" (each a manager, a worker, a JobMetrics and a registry) share one store: each
 * counts only what it did itself, so the sums over both count every job once, although both see
 * every job's events. Counts taken from the shared event log would count each job twice.
 */
class TwoProcessesTest {

  @Test
  void eachProcessCountsItsOwnWorkAndTheSumCountsEachJobOnce() {
    int n = 40;
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      Node web = new Node(store);
      Node other = new Node(store);
      try (web; other) {
        for (int i = 0; i < n; i++) {
          create(web.jobs, "ok");
        }
        Waits.until("every job completed, on one node or the other", WAIT,
            () -> count(web.registry, "completed", "ok") + count(other.registry, "completed", "ok") >= n,
            () -> web.registry.getMetersAsString() + "\n" + other.registry.getMetersAsString());
        assertThat(count(web.registry, "submitted", "ok")).isEqualTo(n);
        assertThat(count(other.registry, "submitted", "ok")).as("the other node created nothing").isZero();
        assertThat(count(web.registry, "completed", "ok") + count(other.registry, "completed", "ok")).isEqualTo(n);
        assertThat(count(web.registry, "started", "ok") + count(other.registry, "started", "ok")).isEqualTo(n);
        // each node's completions are its own starts
        assertThat(count(web.registry, "completed", "ok")).isEqualTo(count(web.registry, "started", "ok"));
        assertThat(count(other.registry, "completed", "ok")).isEqualTo(count(other.registry, "started", "ok"));
      }
    }
  }

  /** One process: its manager, worker, metrics and registry. */
  private static final class Node implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final JobMetrics metrics = JobMetrics.builder().build();
    final JobManager jobs;
    final JobWorker worker;

    Node(InMemoryJobStore store) {
      jobs = JobManager.builder().store(store).interceptor(metrics)
          .generator(new Scripted("ok", (step, ctx) -> {
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // long enough that both nodes get work
            return "done";
          }))
          .build();
      metrics.monitor(jobs);
      metrics.bindTo(registry);
      worker = JobWorker.builder(jobs).listener(metrics).concurrency(2).build().start();
    }

    @Override
    public void close() {
      worker.close();
      jobs.close();
    }
  }
}
