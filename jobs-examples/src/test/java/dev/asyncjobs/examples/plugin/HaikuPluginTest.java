package dev.asyncjobs.examples.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.Generators;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The plugin is found through META-INF/services alone and runs like any built-in type. */
class HaikuPluginTest {

  @Test
  void theProviderIsFoundOnTheClassPath() {
    assertThat(Generators.providers()).extracting(GeneratorProvider::name).contains("example-haiku");
  }

  @Test
  void aDiscoveredHaikuJobRunsToCompletion() throws InterruptedException {
    GeneratorProvider provider = Generators.providers().stream()
        .filter(p -> p.name().equals("example-haiku")).findFirst().orElseThrow();
    List<Generator<?>> generators = provider.generators(Map.of(HaikuGeneratorProvider.LINE_PAUSE, "5"));

    try (InMemoryJobStore store = new InMemoryJobStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generators(generators)
            .quotaPolicy(QuotaPolicy.unlimited()).build();
        JobWorker worker = JobWorker.builder(jobs).progressInterval(Duration.ofMillis(1)).build().start()) {
      CountDownLatch done = new CountDownLatch(1);
      try (Subscription s = jobs.subscribe("poet", e -> {
        if (e.status().isFinal()) {
          done.countDown();
        }
      })) {
        Job job = jobs.create(JobRequest.builder("poet", HaikuGenerator.TYPE).payload("{\"topic\":\"Autumn\"}").build());
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

        Job finished = jobs.get("poet", job.id());
        assertThat(finished.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(finished.resultTree().get("lines")).hasSize(3);
        assertThat(finished.resultTree().get("lines").get(1).asText()).isEqualTo("autumn waits by the door");
      }
    }
  }

  @Test
  void aBadSettingIsAConfigurationErrorNamingIt() {
    assertThatThrownBy(() -> new HaikuGeneratorProvider().generators(Map.of(HaikuGeneratorProvider.LINE_PAUSE, "soon")))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("haiku.linePauseMillis")
        .hasMessageContaining("soon");
  }
}
