package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.spi.JobStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Builder validation. The store is never called while building; the one here refuses every call to prove it. */
class JobWorkerBuilderTest {
  private static final Clock CLOCK = Clock.systemUTC();

  private static JobStore untouchedStore() {
    return (JobStore)
        Proxy.newProxyInstance(
            JobStore.class.getClassLoader(),
            new Class<?>[] {JobStore.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "clock":
                  return CLOCK;
                case "toString":
                  return "untouched store";
                case "hashCode":
                  return 0;
                case "equals":
                  return proxy == args[0];
                default:
                  throw new AssertionError("building a worker must not call JobStore." + method.getName());
              }
            });
  }

  record Empty() {}

  static final class Named implements Generator<Empty> {
    private final String type;

    Named(String type) {
      this.type = type;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Class<Empty> payloadType() {
      return Empty.class;
    }

    @Override
    public Object generate(Empty payload, JobContext context) {
      return "done";
    }
  }

  private static JobManager manager(String... types) {
    JobManager.Builder b = JobManager.builder().store(untouchedStore());
    for (String t : types) {
      b.generator(new Named(t));
    }
    return b.build();
  }

  private static void refused(Consumer<JobWorker.Builder> setting, String message) {
    JobWorker.Builder b = JobWorker.builder(manager("image"));
    assertThatThrownBy(() -> setting.accept(b))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining(message);
  }

  @Test
  void everyBadSettingIsRefusedWithItsNameAndValue() {
    refused(b -> b.concurrency(0), "concurrency must be at least 1, was 0");
    refused(b -> b.concurrency("image", -1), "concurrency(image) must be at least 1, was -1");
    refused(b -> b.concurrency("video", 2), "concurrency: unknown job type 'video'; the manager's types: [image]");
    refused(b -> b.claimBatchSize(0), "claimBatchSize must be at least 1, was 0");
    refused(b -> b.maxRateLimitDeferrals(-1), "maxRateLimitDeferrals must not be negative, was -1");
    refused(b -> b.leaseDuration(Duration.ofMillis(5)), "leaseDuration must be at least PT0.1S, was PT0.005S");
    refused(b -> b.heartbeatInterval(Duration.ZERO), "heartbeatInterval must be at least PT0.01S, was PT0S");
    refused(b -> b.pollInterval(Duration.ofMillis(-1)), "pollInterval must be at least PT0.01S, was PT-0.001S");
    refused(b -> b.rescueInterval(Duration.ZERO), "rescueInterval must be at least");
    refused(b -> b.timeout(Duration.ZERO), "timeout must be at least PT0.001S, was PT0S");
    refused(b -> b.timeout("image", Duration.ZERO), "timeout(image) must be at least");
    refused(b -> b.timeout("nope", Duration.ofSeconds(1)), "timeout: unknown job type 'nope'");
    refused(b -> b.shutdownGracePeriod(Duration.ofSeconds(-1)), "shutdownGracePeriod must be at least PT0S, was PT-1S");
    refused(b -> b.retryPolicy("nope", RetryPolicy.DEFAULT), "retryPolicy: unknown job type 'nope'");
    refused(b -> b.pacing("image", Duration.ZERO), "pacing(image) must be at least PT0.001S, was PT0S");
    refused(b -> b.pacing("nope", Duration.ofSeconds(1)), "pacing: unknown job type 'nope'");
    refused(b -> b.progressInterval(Duration.ofMillis(-5)), "progressInterval must be at least PT0S");
    refused(b -> b.workerId("has space"), "workerId must be 1-100 characters of A-Z a-z 0-9 . _ : @ -, was 'has space'");
    refused(b -> b.workerId(""), "workerId must be 1-100 characters");
    refused(b -> b.types(Set.of()), "types must name at least one type, was []");
    refused(b -> b.types(Set.of("video")), "types: unknown job type 'video'");
    refused(b -> b.task(task("cleanup", Duration.ofSeconds(1))), "a task's name is 'asyncjobs.' and then letters");
    refused(b -> b.task(task("asyncjobs.", Duration.ofSeconds(1))), "a task's name is 'asyncjobs.'");
    refused(b -> b.task(task("asyncjobs.has space", Duration.ofSeconds(1))), "was 'asyncjobs.has space'");
    refused(b -> b.task(task("asyncjobs.maintenance", Duration.ofSeconds(1))), "a task named asyncjobs.maintenance is already registered");
    refused(b -> b.task(task("asyncjobs.x", Duration.ofSeconds(1))).task(task("asyncjobs.x", Duration.ofSeconds(2))),
        "a task named asyncjobs.x is already registered");
    refused(b -> b.task(task("asyncjobs.x", Duration.ofMillis(1))), "task asyncjobs.x: the interval must be at least 10 ms, was PT0.001S");
  }

  private static ClusterTask task(String name, Duration interval) {
    return new ClusterTask() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration interval() {
        return interval;
      }

      @Override
      public boolean claimFirst() {
        return true;
      }

      @Override
      public String run(String state, java.time.Instant now) {
        throw new AssertionError("a refused task never runs");
      }
    };
  }

  @Test
  void heartbeatMustBeShorterThanLease() {
    JobWorker.Builder b =
        JobWorker.builder(manager("image")).leaseDuration(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofSeconds(1));
    assertThatThrownBy(b::build)
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("heartbeatInterval must be shorter than leaseDuration (PT1S), was PT1S");
  }

  @Test
  void perTypeLimitForATypeThisWorkerDoesNotClaimIsRefused() {
    JobWorker.Builder b = JobWorker.builder(manager("image", "text")).types(Set.of("text")).concurrency("image", 1);
    assertThatThrownBy(b::build)
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("concurrency(image): this worker does not claim type 'image'");
  }

  @Test
  void aManagerWithoutGeneratorsCannotHaveAWorker() {
    assertThatThrownBy(() -> JobWorker.builder(manager()).build())
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("the JobManager has no generators");
  }

  @Test
  void defaultWorkerIdHasHostPidAndRandomSuffixAndIsUnique() {
    JobWorker a = JobWorker.builder(manager("image")).build();
    JobWorker b = JobWorker.builder(manager("image")).build();
    try {
      assertThat(a.workerId()).matches("[A-Za-z0-9._-]+-" + ProcessHandle.current().pid() + "-[0-9a-f]{8}");
      assertThat(a.workerId()).isNotEqualTo(b.workerId());
      assertThat(JobWorker.threadNamePrefix(a.workerId())).isEqualTo("asyncjobs-" + a.workerId() + "-");
      assertThat(a.isRunning()).isFalse();
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void aClosedWorkerCannotStart() {
    JobWorker w = JobWorker.builder(manager("image")).workerId("w-closed").build();
    w.close();
    w.close();
    assertThatThrownBy(w::start).isInstanceOf(JobException.class).hasMessageContaining("worker w-closed is closed");
  }
}
