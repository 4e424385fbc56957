package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Maintenance;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import dev.asyncjobs.spring.boot.JobWorkerCustomizer;
import dev.asyncjobs.spring.boot.JobWorkerLifecycle;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The worker, unless {@code asyncjobs.worker.enabled=false}: a {@link JobWorkerLifecycle} that
 * runs a worker built from the {@code asyncjobs.worker.*} properties, every {@link WorkerListener}
 * and {@link AttemptInterceptor} bean, and the {@link JobWorkerCustomizer} beans; and the cleanup of
 * finished jobs when {@code asyncjobs.retention.finished-jobs} is set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "asyncjobs.worker.enabled", matchIfMissing = true)
public class WorkerConfiguration {
  static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";
  /** Spring Boot's default of {@value #PHASE_TIMEOUT}. */
  static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The worker, started with the context and stopped gracefully with it.
   *
   * @param jobs the manager
   * @param properties the starter's properties
   * @param listeners the WorkerListener beans
   * @param interceptors the AttemptInterceptor beans
   * @param customizers the JobWorkerCustomizer beans
   * @param environment for Spring's shutdown phase timeout
   * @return the lifecycle
   * @throws JobConfigurationException a worker setting is bad (naming its property), or the grace
   *     period does not fit in Spring's shutdown phase
   */
  @Bean
  @ConditionalOnMissingBean
  public JobWorkerLifecycle jobWorkerLifecycle(JobManager jobs, AsyncJobsProperties properties,
      ObjectProvider<WorkerListener> listeners, ObjectProvider<AttemptInterceptor> interceptors,
      ObjectProvider<JobWorkerCustomizer> customizers, Environment environment) {
    AsyncJobsProperties.Worker worker = properties.worker();
    Duration phase = Binder.get(environment).bind(PHASE_TIMEOUT, Duration.class).orElse(DEFAULT_PHASE_TIMEOUT);
    if (worker.shutdownGracePeriod().compareTo(phase) >= 0) {
      throw new JobConfigurationException("asyncjobs.worker.shutdown-grace-period (" + worker.shutdownGracePeriod()
          + ") must be shorter than " + PHASE_TIMEOUT + " (" + phase + "): Spring would stop waiting for the worker"
          + " before it has released its running jobs");
    }
    List<WorkerListener> listenerBeans = listeners.orderedStream().toList();
    List<AttemptInterceptor> interceptorBeans = interceptors.orderedStream().toList();
    List<JobWorkerCustomizer> customizerBeans = customizers.orderedStream().toList();
    if (jobs.types().isEmpty()) {
      throw new JobConfigurationException("asyncjobs: the JobManager has no generators: define a Generator bean, put a"
          + " generator module on the class path (asyncjobs.discover-generators), or set asyncjobs.worker.enabled=false"
          + " on a node that runs no jobs");
    }
    return new JobWorkerLifecycle(() -> {
      // Finished jobs are asyncjobs.retention.finished-jobs' (FinishedJobsCleanup, unset: kept for
      // ever, as the starter has always done); the worker's maintenance prunes the event log and
      // the ledgers, once per minute among all workers of the store.
      JobWorker.Builder builder = WorkerSettings.apply(JobWorker.builder(jobs), worker)
          .maintenance(Maintenance.builder().finishedJobRetention(null).build());
      listenerBeans.forEach(builder::listener);
      interceptorBeans.forEach(builder::interceptor);
      customizerBeans.forEach(c -> c.customize(builder));
      return builder.build();
    });
  }

  /**
   * Deletes finished jobs older than {@code asyncjobs.retention.finished-jobs}.
   *
   * @param jobs the manager
   * @param properties the starter's properties
   * @return the cleanup, started with the context
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "asyncjobs.retention.finished-jobs")
  public FinishedJobsCleanup finishedJobsCleanup(JobManager jobs, AsyncJobsProperties properties) {
    AsyncJobsProperties.Retention retention = properties.retention();
    return new FinishedJobsCleanup(jobs, java.util.Objects.requireNonNull(retention.finishedJobs()),
        retention.cleanupInterval());
  }
}
