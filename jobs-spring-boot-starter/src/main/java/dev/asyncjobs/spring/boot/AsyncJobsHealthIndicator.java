package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.JobStore;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The {@code asyncjobs} component of {@code /actuator/health}: DOWN when the store does not answer
 * ({@link JobManager#ping()}, with the error), or when this application runs a worker and it is not
 * running; UP otherwise. Its details name the store, the worker's state ({@code running}, {@code
 * stopped} or {@code disabled}) with its id and running jobs, and, for PostgreSQL, whether the
 * store's listening connection is connected: a store that is reachable but not listening stays UP
 * (jobs and events are then found by polling, only later), so the detail is there to watch.
 */
public final class AsyncJobsHealthIndicator extends AbstractHealthIndicator {
  private final JobManager jobs;
  private final String store;
  private final @Nullable JobWorkerLifecycle worker;
  private final @Nullable BooleanSupplier listenerConnected;

  /**
   * An indicator.
   *
   * @param jobs the manager whose store is pinged
   * @param store the store, named in the details
   * @param worker the worker lifecycle, or null when this application runs no worker
   * @param listenerConnected whether the store's listening connection is up, or null for a store
   *     without one
   */
  public AsyncJobsHealthIndicator(JobManager jobs, JobStore store, @Nullable JobWorkerLifecycle worker,
      @Nullable BooleanSupplier listenerConnected) {
    super("asyncjobs health check failed");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.store = Objects.requireNonNull(store, "store").getClass().getSimpleName();
    this.worker = worker;
    this.listenerConnected = listenerConnected;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("store", store);
    boolean up = true;
    if (worker == null) {
      builder.withDetail("worker", "disabled");
    } else {
      JobWorker running = worker.worker();
      if (worker.isWorkerRunning() && running != null) {
        builder.withDetail("worker", "running")
            .withDetail("workerId", running.workerId())
            .withDetail("runningJobs", running.runningJobs());
      } else {
        builder.withDetail("worker", "stopped");
        up = false;
      }
    }
    if (listenerConnected != null) {
      builder.withDetail("listener", listenerConnected.getAsBoolean() ? "connected" : "not connected");
    }
    jobs.ping(); // throws when the store does not answer: DOWN with the error
    if (up) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
