package dev.asyncjobs.generators.openai.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Generators;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The worked example of docs/writing-a-generator.md runs, refuses bad input and is discovered. */
class PaletteGeneratorTest {
  // EXAMPLE-BEGIN usage
  JobManager jobs = JobManager.builder()
      .store(new InMemoryJobStore())
      .generator(new PaletteGenerator())
      .build();
  ManualWorker worker = ManualWorker.of(jobs); // runs due jobs on the calling thread, for tests

  @Test
  void makesAPalette() {
    Job job = jobs.create(JobRequest.of("alice", PaletteGenerator.TYPE, new PaletteGenerator.Payload("calm sea", 3)));

    Job done = worker.runNext().orElseThrow();

    assertThat(done.id()).isEqualTo(job.id());
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.resultTree().get("colors")).hasSize(3);
  }
  // EXAMPLE-END usage

  @Test
  void theSameMoodGivesTheSamePalette() {
    jobs.create(JobRequest.builder("alice", "palette_generation").payload("{\"mood\":\"Calm Sea\"}").build());
    jobs.create(JobRequest.builder("bob", "palette_generation").payload("{\"mood\":\"calm sea\"}").build());

    var results = worker.runDue();

    assertThat(results).hasSize(2);
    assertThat(results.get(0).resultTree().get("colors")).isEqualTo(results.get(1).resultTree().get("colors")).hasSize(5);
    assertThat(results.get(0).progress()).isEqualTo(100);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "{\"colors\": 3} | payload.mood | payload.mood is required",
    "{\"mood\": \"x\", \"colors\": 11} | payload.colors | payload.colors must be between 2 and 10, was 11",
    "{\"mood\": \"x\", \"shade\": 1} | payload.shade | unknown field 'shade'",
  })
  void refusesBadPayloadsAndStoresNothing(String payload, String field, String message) {
    assertThatThrownBy(() -> jobs.create(JobRequest.builder("alice", "palette_generation").payload(payload).build()))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(message);
    assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).isEmpty();
  }

  @Test
  void isDiscoveredByServiceLoader() {
    assertThat(Generators.providers()).anySatisfy(p -> assertThat(p).isInstanceOf(PaletteGeneratorProvider.class));
    assertThat(new PaletteGeneratorProvider().generators(Map.of())).singleElement()
        .satisfies(g -> assertThat(g.type()).isEqualTo("palette_generation"));
  }
}
