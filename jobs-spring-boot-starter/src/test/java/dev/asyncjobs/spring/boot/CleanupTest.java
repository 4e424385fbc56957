package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spring.boot.internal.FinishedJobsCleanup;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** asyncjobs.retention.finished-jobs: a worker node deletes finished jobs older than it; unset, nothing is deleted. */
class CleanupTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void finishedJobsOlderThanTheRetentionAreDeleted() {
    Apps.starter().withBean(EchoGenerator.class)
        .withPropertyValues("asyncjobs.retention.finished-jobs=0s", "asyncjobs.retention.cleanup-interval=1s").run(context -> {
          assertThat(context).hasSingleBean(FinishedJobsCleanup.class);
          JobManager jobs = context.getBean(JobManager.class);
          Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("x", 1)));
          Waits.until("the job to be deleted", WAIT, () -> jobs.find("alice", job.id()).isEmpty(),
              () -> jobs.find("alice", job.id()));
        });
  }

  @Test
  void withoutARetentionFinishedJobsStay() {
    Apps.starter().withBean(EchoGenerator.class).run(context -> {
      assertThat(context).doesNotHaveBean(FinishedJobsCleanup.class);
      JobManager jobs = context.getBean(JobManager.class);
      Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("x", 1)));
      Waits.untilValue("the job to complete", WAIT, () -> jobs.get("alice", job.id()), j -> j.status() == JobStatus.COMPLETED);
      assertThat(jobs.list(dev.asyncjobs.JobQuery.forOwner("alice").build()).items()).extracting(Job::id).contains(job.id());
    });
  }
}
