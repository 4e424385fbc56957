package dev.asyncjobs.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A cleanup run that fails does not end the cleanup: it is logged, counts as none, and the timer goes on. */
class FinishedJobsCleanupTest {
  @Test
  void aFailedRunCountsNoneAndTheCleanupKeepsRunning() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator()).build()) {
      // a negative retention is refused by the manager at every run
      FinishedJobsCleanup cleanup = new FinishedJobsCleanup(jobs, Duration.ofSeconds(-1), Duration.ofSeconds(1));
      assertThat(cleanup.runOnce()).isZero();
      cleanup.start();
      assertThat(cleanup.isRunning()).isTrue();
      cleanup.stop();
      assertThat(cleanup.isRunning()).isFalse();
    }
  }
}
