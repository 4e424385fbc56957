package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's quick start, compiled and run as it is printed there. */
class QuickStartTest {

  // QUICKSTART-BEGIN
  record Haiku(String topic) {}

  static final class HaikuGenerator implements Generator<Haiku> {
    @Override public String type() { return "haiku"; }
    @Override public Class<Haiku> payloadType() { return Haiku.class; }

    @Override
    public Object generate(Haiku payload, JobContext context) {
      context.progress(50, "counting syllables");
      return Map.of("text", "old pond / a frog leaps in / " + payload.topic());
    }
  }

  @Test
  void quickStart() throws InterruptedException {
    try (JobManager jobs = JobManager.builder()
            .store(new InMemoryJobStore())
            .generator(new HaikuGenerator())
            .build();
        JobWorker worker = JobWorker.builder(jobs).build().start()) {
      CountDownLatch done = new CountDownLatch(1);
      jobs.subscribe("alice", event -> {
        System.out.println(event.kind() + " " + event.progress() + "%");
        if (event.status().isFinal()) done.countDown();
      });
      Job job = jobs.create(JobRequest.builder("alice", "haiku")
          .payload("{\"topic\": \"the sound of water\"}").build());
      done.await(10, TimeUnit.SECONDS);
      System.out.println(jobs.get("alice", job.id()).result());
      // QUICKSTART-END
      Job finished = jobs.get("alice", job.id());
      assertThat(finished.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(finished.resultTree().get("text").asText()).endsWith("the sound of water");
      assertThat(finished.actualDuration()).isNotNull().isLessThan(Duration.ofSeconds(10));
      assertThat(JobEvent.Kind.values()).isNotEmpty();

      // No quota unless one is configured: a second create for the same owner right away is fine.
      Job again = jobs.create(JobRequest.builder("alice", "haiku").payload("{\"topic\": \"rain\"}").build());
      assertThat(again.id()).isNotEqualTo(job.id());
      assertThat(jobs.quotaPolicy().limitsFor("alice").isUnlimited()).isTrue();
    }
  }
}
