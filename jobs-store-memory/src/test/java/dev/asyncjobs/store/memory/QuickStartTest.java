package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobType;
import dev.asyncjobs.JobWorker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, compiled and run as it is printed there: the code between the markers is
 * the README's block (checked below), and running its {@code main} prints what the README says.
 */
class QuickStartTest {

  // QUICKSTART-BEGIN
  record Haiku(String topic) {}

  static final JobType<Haiku> HAIKU = JobType.of("haiku", Haiku.class);

  static final class HaikuGenerator implements Generator<Haiku> {
    @Override public String type() { return HAIKU.name(); }
    @Override public Class<Haiku> payloadType() { return HAIKU.payloadType(); }

    @Override
    public Object generate(Haiku payload, JobContext context) {
      context.progress(50, "counting syllables");
      return Map.of("text", "old pond / a frog leaps in / " + payload.topic());
    }
  }

  public static void main(String[] args) throws InterruptedException {
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
      Job job = jobs.create(JobRequest.of("alice", HAIKU, new Haiku("the sound of water")));
      done.await(10, TimeUnit.SECONDS);
      System.out.println(jobs.get("alice", job.id()).result());
    }
  }
  // QUICKSTART-END

  @Test
  void runningItPrintsTheEventsAndTheResult() throws InterruptedException {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      main(new String[0]);
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8).lines())
        .containsSubsequence("CREATED 0%", "STARTED 0%", "PROGRESS 50%", "COMPLETED 100%",
            "{\"text\":\"old pond / a frog leaps in / the sound of water\"}");
  }

  @Test
  void theReadmePrintsThisCode() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/asyncjobs/store/memory/QuickStartTest.java"));
    String marker = "  // QUICKSTART-BEGIN\n";
    String block = source.substring(source.indexOf(marker) + marker.length(), source.indexOf("  // QUICKSTART-END"));
    StringBuilder printed = new StringBuilder();
    for (String line : block.split("\n", -1)) {
      printed.append(line.startsWith("  ") ? line.substring(2) : line).append('\n');
    }
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).as("README.md's quick start is this test's code").contains("```java\n" + printed.toString().strip() + "\n```");
  }

  @Test
  void aSecondCreateRightAwayIsFineWithoutAQuota() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new HaikuGenerator()).build()) {
      Job first = jobs.create(JobRequest.of("alice", HAIKU, new Haiku("rain")));
      Job again = jobs.create(JobRequest.of("alice", HAIKU, new Haiku("snow")));
      assertThat(again.id()).isNotEqualTo(first.id());
      assertThat(jobs.quotaPolicy().limitsFor("alice").isUnlimited()).isTrue();
    }
  }
}
