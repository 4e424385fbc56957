package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.BasicMDCAdapter;

class JobMdcTest {
  @Test
  void putsJobIdAndTypeForTheBlockAndRemovesThem() {
    // The test binding (slf4j-simple) has no MDC, so check against slf4j's own map-based adapter.
    BasicMDCAdapter mdc = new BasicMDCAdapter();
    mdc.put("requestId", "r-1");
    Job job = Job.builder().id(UUID.randomUUID()).ownerId("o").type("image_generation").createdAt(Instant.EPOCH).build();
    JobMdc.run(job, mdc, () -> {
      assertThat(mdc.get("jobId")).isEqualTo(job.id().toString());
      assertThat(mdc.get("jobType")).isEqualTo("image_generation");
    });
    assertThat(mdc.get("jobId")).isNull();
    assertThat(mdc.get("jobType")).isNull();
    assertThat(mdc.get("requestId")).as("other keys are left alone").isEqualTo("r-1");
  }

  @Test
  void removesTheKeysWhenTheBlockThrows() {
    BasicMDCAdapter mdc = new BasicMDCAdapter();
    Job job = Job.builder().id(UUID.randomUUID()).ownerId("o").type("t").createdAt(Instant.EPOCH).build();
    assertThatThrownBy(() -> JobMdc.run(job, mdc, () -> {
      throw new IllegalStateException("generator bug");
    })).hasMessage("generator bug");
    assertThat(mdc.get("jobId")).isNull();
  }
}
