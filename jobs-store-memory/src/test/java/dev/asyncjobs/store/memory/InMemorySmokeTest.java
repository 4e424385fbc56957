package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStores;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemorySmokeTest {
  record Echo(String text) {}

  static final class EchoGenerator implements Generator<Echo> {
    @Override public String type() { return "echo"; }
    @Override public Class<Echo> payloadType() { return Echo.class; }
    @Override public Object generate(Echo payload, JobContext context) { return Map.of("echo", payload.text()); }
  }

  @Test
  void createClaimComplete() {
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator())
            .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      Job job = jobs.create(JobRequest.builder("alice", "echo").payload("{\"text\":\"hi\"}").build());
      assertThat(job.status()).isEqualTo(JobStatus.PENDING);
      List<Job> claimed = store.claim(new ClaimRequest("w1", Set.of("echo"), 10, Duration.ofSeconds(30)));
      assertThat(claimed).extracting(Job::id).containsExactly(job.id());
      Job done = store.complete(new Completion(Lease.of(claimed.get(0)), "{\"echo\":\"hi\"}", Duration.ofMillis(5)));
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(jobs.get("alice", job.id()).resultTree().get("echo").asText()).isEqualTo("hi");
    }
  }

  @Test
  void providerOpensMemoryUrls() {
    try (var store = JobStores.open("memory:")) {
      assertThat(store).isInstanceOf(InMemoryJobStore.class);
    }
  }
}
