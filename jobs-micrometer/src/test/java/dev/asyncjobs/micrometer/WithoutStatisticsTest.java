package dev.asyncjobs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a store without {@link StoreCapability#STATISTICS} there are no gauges and one INFO line says
 * why; the counters work as usual, and the store is never asked for statistics.
 */
class WithoutStatisticsTest {

  @Test
  void noGaugesOneInfoLineAndCountersStillCount() {
    MutableClock clock = new MutableClock();
    InMemoryJobStore memory = new InMemoryJobStore(clock);
    WatchedStore watched = new WatchedStore(memory, true);
    assertThat(watched.store().capabilities()).doesNotContain(StoreCapability.STATISTICS);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    // slf4j-simple writes to whatever System.err is at the time of the call
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (memory) {
      JobMetrics metrics = JobMetrics.builder().refreshExecutor(Runnable::run).build();
      try (JobManager jobs = JobManager.builder().store(watched.store()).generator(new EchoGenerator()).interceptor(metrics).build()) {
        metrics.monitor(jobs);
        metrics.bindTo(registry);
        metrics.bindTo(new SimpleMeterRegistry()); // a second registry: still no second line
        jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1)));
        clock.advance(Duration.ofMinutes(1));
        metrics.bindTo(registry);
      }
    } finally {
      System.setErr(stderr);
    }
    for (String gauge : List.of("asyncjobs.jobs.pending", "asyncjobs.jobs.due", "asyncjobs.jobs.running",
        "asyncjobs.queue.oldest.due.age")) {
      assertThat(registry.find(gauge).gauges()).as(gauge).isEmpty();
    }
    assertThat(Meters.count(registry, "submitted", "echo")).isEqualTo(1);
    assertThat(watched.queueStatsReads.get()).as("the manager refused before asking the store").isZero();
    List<String> lines = Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\\R"))
        .filter(l -> l.contains("dev.asyncjobs.micrometer")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("INFO").contains("does not declare STATISTICS").contains("asyncjobs.jobs.pending");
  }
}
