package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobWorker;

/**
 * Changes the auto-configured {@link JobWorker}'s builder before it is built, for what the {@code
 * asyncjobs.worker.*} properties do not cover (an executor of virtual threads, retry policies,
 * pacing, the types this node claims): define one or more as beans; they run in {@link
 * org.springframework.core.annotation.Order} order, after the properties, listeners and
 * interceptors have been applied.
 */
@FunctionalInterface
public interface JobWorkerCustomizer {

  /**
   * Changes the builder.
   *
   * @param builder the builder, with the properties already set
   */
  void customize(JobWorker.Builder builder);
}
