package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobManager;

/**
 * Changes the auto-configured {@link JobManager}'s builder before it is built, for what the {@code
 * asyncjobs.*} properties do not cover (a default priority, duration learning, a clock): define
 * one or more as beans; they run in {@link org.springframework.core.annotation.Order} order, after
 * the properties and beans have been applied.
 */
@FunctionalInterface
public interface JobManagerCustomizer {

  /**
   * Changes the builder.
   *
   * @param builder the builder, with the store, generators and properties already set
   */
  void customize(JobManager.Builder builder);
}
