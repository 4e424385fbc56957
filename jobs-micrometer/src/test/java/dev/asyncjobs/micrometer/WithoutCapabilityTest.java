package dev.asyncjobs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobLimit;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a store without {@link StoreCapability#STATISTICS} there are no queue gauges, on one without
 * {@link StoreCapability#LIMITS} no limit gauges; either way one INFO line says why, the other
 * gauges and the counters work as usual, and the store is never asked for what it lacks.
 */
class WithoutCapabilityTest {

  @ParameterizedTest
  @EnumSource(value = StoreCapability.class, names = {"STATISTICS", "LIMITS"})
  void noGaugesOfWhatTheStoreLacksOneInfoLineAndTheRestAsUsual(StoreCapability missing) {
    MutableClock clock = new MutableClock();
    InMemoryJobStore memory = new InMemoryJobStore(clock);
    WatchedStore watched = new WatchedStore(memory, missing);
    assertThat(watched.store().capabilities()).doesNotContain(missing);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    // slf4j-simple writes to whatever System.err is at the time of the call
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (memory) {
      JobMetrics metrics = JobMetrics.builder().refreshExecutor(Runnable::run).build();
      try (JobManager jobs = JobManager.builder().store(watched.store()).generator(new EchoGenerator()).interceptor(metrics).build()) {
        if (missing != StoreCapability.LIMITS) {
          jobs.defineLimit(Meters.everyBound(EchoGenerator.TYPE.name()));
        }
        metrics.monitor(jobs);
        metrics.bindTo(registry);
        metrics.bindTo(new SimpleMeterRegistry()); // a second registry: still no second line
        jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1)));
        clock.advance(Duration.ofMinutes(1));
        metrics.bindTo(registry);
        Meters.scrape(registry);
      }
    } finally {
      System.setErr(stderr);
    }
    List<String> absent = missing == StoreCapability.STATISTICS ? Meters.QUEUE_GAUGES : Meters.LIMIT_GAUGES;
    List<String> present = missing == StoreCapability.STATISTICS ? Meters.LIMIT_GAUGES : Meters.QUEUE_GAUGES;
    for (String gauge : absent) {
      assertThat(registry.find(gauge).gauges()).as(gauge).isEmpty();
    }
    for (String gauge : present) {
      assertThat(registry.find(gauge).gauges()).as(gauge).isNotEmpty();
    }
    assertThat(Meters.count(registry, "submitted", "echo")).isEqualTo(1);
    assertThat(Meters.count(registry, "rate.limited", "echo")).isZero();
    int reads = missing == StoreCapability.STATISTICS ? watched.queueStatsReads.get() : watched.limitsReads.get();
    assertThat(reads).as("the manager refused before asking the store").isZero();
    List<String> lines = Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\\R"))
        .filter(l -> l.contains("dev.asyncjobs.micrometer")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("INFO").contains("does not declare " + missing).contains(absent.get(0));
  }
}
