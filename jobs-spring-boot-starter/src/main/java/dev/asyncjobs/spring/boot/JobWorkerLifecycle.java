package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobWorker;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a {@link JobWorker} with the application context: started once every singleton is ready
 * (in {@link #PHASE}, with the web server's graceful shutdown, so that running jobs and in-flight
 * requests drain side by side), and stopped gracefully when the context closes: no more claims,
 * running jobs get the worker's shutdown grace period, then they are released to another worker.
 * Stopping runs on a thread of its own, so that Spring waits for it within {@code
 * spring.lifecycle.timeout-per-shutdown-phase} (the auto-configuration refuses a grace period that
 * does not fit in it).
 *
 * <p>A closed {@link JobWorker} cannot start again, so each start after a stop (a context stopped
 * and started again, a checkpoint restored) runs a new worker from the supplier. The first one is
 * built at once, so that bad settings fail the application's start.
 */
public final class JobWorkerLifecycle implements SmartLifecycle, DisposableBean {
  /**
   * The phase of this lifecycle: that of Spring Boot's web server graceful shutdown ({@code
   * SmartLifecycle.DEFAULT_PHASE - 1024}), which starts after the web server and stops before it.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final Logger LOG = LoggerFactory.getLogger(JobWorkerLifecycle.class);

  private final Supplier<JobWorker> workers;
  private @Nullable JobWorker next;
  private @Nullable JobWorker running;

  /**
   * A lifecycle that runs the workers {@code workers} builds (not started).
   *
   * @param workers builds a worker, not yet started; called now and at each start after a stop
   * @throws dev.asyncjobs.JobConfigurationException the worker's settings are bad
   */
  public JobWorkerLifecycle(Supplier<JobWorker> workers) {
    this.workers = Objects.requireNonNull(workers, "workers");
    this.next = Objects.requireNonNull(workers.get(), "the worker supplier returned null");
  }

  @Override
  public synchronized void start() {
    if (running != null) {
      return;
    }
    JobWorker worker = next != null ? next : Objects.requireNonNull(workers.get(), "the worker supplier returned null");
    next = null;
    worker.start();
    running = worker;
    LOG.info("asyncjobs worker {} started", worker.workerId());
  }

  /** Stops on the calling thread; {@link #stop(Runnable)} is what Spring calls. */
  @Override
  public void stop() {
    JobWorker worker = take();
    if (worker != null) {
      close(worker);
    }
  }

  @Override
  public void stop(Runnable callback) {
    JobWorker worker = take();
    if (worker == null) {
      callback.run();
      return;
    }
    Thread stopper = new Thread(() -> {
      try {
        close(worker);
      } finally {
        callback.run();
      }
    }, "asyncjobs-" + worker.workerId() + "-shutdown");
    stopper.setDaemon(true);
    stopper.start();
  }

  private synchronized @Nullable JobWorker take() {
    JobWorker worker = running;
    running = null;
    return worker;
  }

  private static void close(JobWorker worker) {
    LOG.info("asyncjobs worker {} stopping: no more claims, running jobs finish or are released", worker.workerId());
    worker.close();
    LOG.info("asyncjobs worker {} stopped", worker.workerId());
  }

  /** {@return whether it was started and not stopped (Spring's view; see {@link #isWorkerRunning()})} */
  @Override
  public synchronized boolean isRunning() {
    return running != null;
  }

  /** {@return whether a worker was started and is running now, for health checks} */
  public synchronized boolean isWorkerRunning() {
    return running != null && running.isRunning();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** {@return the running worker, or null when stopped} */
  public synchronized @Nullable JobWorker worker() {
    return running;
  }

  /**
   * Closes what is left when the context is destroyed: the worker built and never started (the
   * context failed to start), or one still running when {@link #stop} was not called.
   */
  @Override
  public void destroy() {
    JobWorker unstarted;
    synchronized (this) {
      unstarted = next;
      next = null;
    }
    if (unstarted != null) {
      unstarted.close();
    }
    stop();
  }
}
