package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spring.boot.internal.ListenerProbe;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code asyncjobs} health indicator ({@link AsyncJobsHealthIndicator}), when Actuator is on
 * the class path and {@code management.health.asyncjobs.enabled} is not false. A bean named
 * {@code asyncjobsHealthIndicator} of the application's replaces it.
 */
@AutoConfiguration(after = AsyncJobsAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean({JobManager.class, JobStore.class})
@ConditionalOnEnabledHealthIndicator("asyncjobs")
public class AsyncJobsHealthAutoConfiguration {

  /** For Spring. */
  public AsyncJobsHealthAutoConfiguration() {}

  /**
   * The indicator.
   *
   * @param jobs the manager
   * @param store the store
   * @param worker the worker lifecycle, absent when {@code asyncjobs.worker.enabled=false}
   * @return the indicator, shown as {@code asyncjobs}
   */
  @Bean
  @ConditionalOnMissingBean(name = "asyncjobsHealthIndicator")
  public AsyncJobsHealthIndicator asyncjobsHealthIndicator(JobManager jobs, JobStore store,
      ObjectProvider<JobWorkerLifecycle> worker) {
    return new AsyncJobsHealthIndicator(jobs, store, worker.getIfAvailable(), ListenerProbe.of(store));
  }
}
