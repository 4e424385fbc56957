package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobStatusTest {
  @Test
  void finalStatusesHaveNoSuccessors() {
    for (JobStatus s : JobStatus.finalStatuses()) {
      assertThat(s.isFinal()).isTrue();
      assertThat(s.successors()).isEmpty();
    }
  }

  @Test
  void lifecycleMatchesTheDesign() {
    assertThat(JobStatus.PENDING.successors()).containsExactlyInAnyOrder(JobStatus.PROCESSING, JobStatus.CANCELLED);
    assertThat(JobStatus.PROCESSING.successors())
        .containsExactlyInAnyOrder(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.PENDING, JobStatus.CANCELLED);
    assertThat(JobStatus.PENDING.canMoveTo(JobStatus.COMPLETED)).isFalse();
    assertThat(JobStatus.COMPLETED.canMoveTo(JobStatus.PENDING)).isFalse();
    assertThat(EnumSet.complementOf(EnumSet.copyOf(JobStatus.finalStatuses())))
        .containsExactlyInAnyOrder(JobStatus.PENDING, JobStatus.PROCESSING);
  }
}
