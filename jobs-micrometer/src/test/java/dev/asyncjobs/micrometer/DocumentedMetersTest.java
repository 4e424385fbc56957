package dev.asyncjobs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.WorkerContractSupport.Scripted;
import dev.asyncjobs.testing.Waits;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The table of meters in {@code docs/metrics.md} is the truth: it lists exactly the meters a
 * running JobMetrics registers, each with its tags and its Prometheus name as the Prometheus
 * registry exposes it.
 */
class DocumentedMetersTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| `(asyncjobs\\.[a-z.]+)` \\| ([^|]+) \\| ([^|]+) \\| `([a-z_]+)` \\|", Pattern.MULTILINE);

  private record Row(String kind, Set<String> tags, String prometheus) {}

  @Test
  void theTableListsEveryMeterWithItsTagsAndPrometheusName() throws IOException {
    Map<String, Row> documented = new TreeMap<>();
    Matcher m = ROW.matcher(Files.readString(Path.of("..", "docs", "metrics.md")));
    while (m.find()) {
      Set<String> tags = Pattern.compile("`([a-z]+)`").matcher(m.group(3)).results().map(r -> r.group(1))
          .collect(Collectors.toCollection(TreeSet::new));
      documented.put(m.group(1), new Row(m.group(2).trim(), tags, m.group(4)));
    }
    assertThat(documented).hasSize(27);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JobMetrics metrics = JobMetrics.builder().refreshExecutor(Runnable::run).build();
    WatchedStore watched = new WatchedStore(new InMemoryJobStore());
    try (JobManager jobs = JobManager.builder().store(watched.store()).interceptor(metrics)
        .generator(new Scripted("ok", (step, ctx) -> "done")).build()) {
      jobs.defineLimit(Meters.everyBound("ok")); // for the limit gauges, each bound's included
      metrics.monitor(jobs);
      metrics.bindTo(registry);
      watched.failClaims = true; // for asyncjobs.store.errors, which appears with its first error
      JobWorker worker = JobWorker.builder(jobs).listener(metrics).pollInterval(Duration.ofMillis(20)).build().start();
      try {
        Waits.until("a store error", Meters.WAIT, () -> Meters.storeErrors(registry, "claim") >= 1);
      } finally {
        worker.close();
      }
    }

    Map<String, Set<String>> registered = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      registered.computeIfAbsent(meter.getId().getName(), n -> new TreeSet<>())
          .addAll(meter.getId().getTags().stream().map(Tag::getKey).toList());
    }
    assertThat(registered.keySet()).isEqualTo(documented.keySet());
    String text = registry.scrape();
    documented.forEach((name, row) -> {
      assertThat(registered.get(name)).as("tags of " + name).isEqualTo(row.tags());
      assertThat(text).as("the Prometheus name of " + name).contains("\n# TYPE " + row.prometheus() + " ");
      String type = registry.get(name).meter().getId().getType().name().toLowerCase(java.util.Locale.ROOT);
      assertThat(row.kind()).as("kind of " + name).startsWith(type);
    });
  }
}
