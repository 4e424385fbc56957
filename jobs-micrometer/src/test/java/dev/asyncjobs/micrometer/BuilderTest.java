package dev.asyncjobs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad settings are refused with a {@link JobConfigurationException} naming them, and change nothing. */
class BuilderTest {

  @Test
  void defaults() {
    JobMetrics metrics = JobMetrics.builder().build();
    assertThat(metrics.refreshInterval()).isEqualTo(Duration.ofSeconds(10)).isEqualTo(JobMetrics.DEFAULT_REFRESH_INTERVAL);
    assertThat(metrics.commonTags()).isEqualTo(Tags.empty());
  }

  @Test
  void aNullManagerIsRefused() {
    assertThatThrownBy(() -> JobMetrics.builder().manager(null))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("manager must not be null");
    JobMetrics metrics = JobMetrics.builder().build();
    assertThatThrownBy(() -> metrics.monitor(null))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("manager must not be null");
  }

  @Test
  void aZeroNegativeOrMissingIntervalIsRefusedAndTheBuilderKeepsItsValue() {
    JobMetrics.Builder b = JobMetrics.builder().refreshInterval(Duration.ofSeconds(5));
    for (Duration bad : Arrays.asList(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(-1), null)) {
      assertThatThrownBy(() -> b.refreshInterval(bad))
          .isInstanceOf(JobConfigurationException.class)
          .hasMessage("refreshInterval must be positive, was " + bad);
    }
    assertThat(b.build().refreshInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badPercentilesAreRefused() {
    JobMetrics.Builder b = JobMetrics.builder();
    for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> b.percentiles(0.5, bad))
          .isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("each percentile must be above 0 and at most 1, was " + bad);
    }
    assertThatThrownBy(() -> b.percentiles((double[]) null))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("percentiles must not be null");
    b.percentiles(0.5, 0.99, 1.0).build(); // the edges that are allowed
  }

  @Test
  void badCommonTagsAreRefusedAndNoneIsAdded() {
    JobMetrics.Builder b = JobMetrics.builder().commonTag("app", "render");
    assertThatThrownBy(() -> b.commonTag("", "x")).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("a common tag key must not be blank, was ''");
    assertThatThrownBy(() -> b.commonTag(null, "x")).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("must not be blank, was null");
    assertThatThrownBy(() -> b.commonTag("region", null)).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("common tag 'region' must have a value");
    for (String own : List.of("type", "outcome", "operation", "limit")) {
      assertThatThrownBy(() -> b.commonTag(own, "x")).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("common tag '" + own + "' is one of JobMetrics' own tags");
    }
    // one bad tag among good ones adds none of them
    assertThatThrownBy(() -> b.commonTags(List.of(Tag.of("region", "eu"), Tag.of("type", "x"))))
        .isInstanceOf(JobConfigurationException.class);
    assertThatThrownBy(() -> b.commonTags(null)).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("commonTags must not be null");
    assertThat(b.build().commonTags()).isEqualTo(Tags.of("app", "render"));
  }

  @Test
  void aNullExecutorOrRegistryIsRefused() {
    assertThatThrownBy(() -> JobMetrics.builder().refreshExecutor(null))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("refreshExecutor must not be null");
    assertThatThrownBy(() -> JobMetrics.builder().build().bindTo(null))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("registry must not be null");
  }

  @Test
  void oneJobMetricsMonitorsOneManager() {
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager first = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobManager second = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      JobMetrics metrics = JobMetrics.builder().manager(first).refreshExecutor(Runnable::run).build();
      metrics.monitor(first); // the same again: nothing happens
      assertThatThrownBy(() -> metrics.monitor(second))
          .isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("already monitors").hasMessageContaining("one JobMetrics per JobManager");
      // the first manager's types have their counters (at zero) and, once bound, their gauges
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      metrics.bindTo(registry);
      assertThat(Meters.count(registry, "submitted", "echo")).isZero();
      assertThat(Meters.gauge(registry, "asyncjobs.jobs.pending", "echo")).isZero();
    }
  }
}
