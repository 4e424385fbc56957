package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.micrometer.JobMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The asyncjobs meters ({@link JobMetrics} of jobs-micrometer) when that module is on the class
 * path, there is a {@link MeterRegistry} (Actuator's) and {@code asyncjobs.metrics.enabled} is not
 * false. The bean is a {@code CreateInterceptor} and a {@code WorkerListener}, so the
 * auto-configured manager and worker report to it, and a {@code MeterBinder}, so Actuator binds it
 * to every registry; once all singletons exist, its queue gauges start reading the {@link
 * JobManager}. A {@link JobMetrics} bean of the application's replaces it (and is monitored the
 * same way).
 */
@AutoConfiguration(
    before = AsyncJobsAutoConfiguration.class,
    afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({JobMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "asyncjobs.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncJobsProperties.class)
public class AsyncJobsMetricsAutoConfiguration {

  /** For Spring. */
  public AsyncJobsMetricsAutoConfiguration() {}

  /**
   * The meters.
   *
   * @param properties the starter's properties
   * @return the metrics, not yet monitoring a manager
   */
  @Bean
  @ConditionalOnMissingBean
  public JobMetrics jobMetrics(AsyncJobsProperties properties) {
    return JobMetrics.builder().refreshInterval(properties.metrics().refreshInterval()).build();
  }

  /**
   * Points the queue gauges at the manager once every singleton exists: the manager is built with
   * the metrics as its interceptor, so the metrics cannot be built with the manager.
   *
   * @param metrics the metrics
   * @param jobs the manager, when there is one
   * @return the step, run by Spring after the singletons are instantiated
   */
  @Bean
  @ConditionalOnMissingBean(name = "asyncjobsMetricsMonitor")
  public SmartInitializingSingleton asyncjobsMetricsMonitor(JobMetrics metrics, ObjectProvider<JobManager> jobs) {
    return () -> jobs.ifAvailable(metrics::monitor);
  }
}
