package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Sets the {@code asyncjobs.worker.*} properties on a worker builder. The properties checked their
 * own ranges; what only the builder can check (a per-type setting of a type no generator has) is
 * reported under the property's name.
 */
public final class WorkerSettings {
  private static final String WORKER = AsyncJobsProperties.PREFIX + ".worker.";

  private WorkerSettings() {}

  /**
   * {@return the builder with the properties set}
   *
   * @param builder the worker builder
   * @param worker the properties
   * @throws JobConfigurationException a per-type property names a type the manager has no
   *     generator for
   */
  public static JobWorker.Builder apply(JobWorker.Builder builder, AsyncJobsProperties.Worker worker) {
    if (worker.id() != null) {
      try {
        builder.workerId(worker.id());
      } catch (JobConfigurationException e) {
        throw new JobConfigurationException(WORKER + "id: " + e.getMessage());
      }
    }
    builder.concurrency(worker.concurrency())
        .leaseDuration(worker.leaseDuration())
        .pollInterval(worker.pollInterval())
        .timeout(worker.timeout())
        .shutdownGracePeriod(worker.shutdownGracePeriod())
        .fairBetweenOwners(worker.fairBetweenOwners())
        .keepLimitSlots(worker.keepLimitSlots());
    if (worker.heartbeatInterval() != null) {
      builder.heartbeatInterval(worker.heartbeatInterval());
    }
    perType(worker.concurrencyPerType(), "concurrency-per-type", builder::concurrency);
    perType(worker.timeoutPerType(), "timeout-per-type", builder::timeout);
    return builder;
  }

  private static <V> void perType(Map<String, V> values, String property, BiConsumer<String, V> set) {
    new TreeMap<>(values).forEach((type, value) -> {
      try {
        set.accept(type, value);
      } catch (JobConfigurationException e) {
        throw new JobConfigurationException(WORKER + property + "." + type + ": " + e.getMessage());
      }
    });
  }
}
