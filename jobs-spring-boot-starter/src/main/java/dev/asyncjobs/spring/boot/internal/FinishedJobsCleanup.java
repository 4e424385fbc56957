package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.JobManager;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes finished jobs older than {@code asyncjobs.retention.finished-jobs} every {@code
 * asyncjobs.retention.cleanup-interval}, on worker nodes. Several nodes may run it at once: a
 * delete of what another node deleted deletes nothing. A failed run is logged and retried at the
 * next interval.
 */
public final class FinishedJobsCleanup implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedJobsCleanup.class);

  private final JobManager jobs;
  private final Duration retention;
  private final Duration interval;
  private @Nullable ScheduledExecutorService timer;

  /**
   * A cleanup, not yet started.
   *
   * @param jobs the manager whose store is cleaned
   * @param retention how long a finished job is kept
   * @param interval how often the cleanup runs
   */
  public FinishedJobsCleanup(JobManager jobs, Duration retention, Duration interval) {
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  @Override
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "asyncjobs-cleanup");
      thread.setDaemon(true);
      return thread;
    });
    t.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    timer = t;
    LOG.info("asyncjobs: deleting finished jobs older than {} every {}", retention, interval);
  }

  /** {@return how many jobs one run deleted; failures are logged and count as none} */
  int runOnce() {
    try {
      int deleted = jobs.cleanup(retention);
      if (deleted > 0) {
        LOG.debug("asyncjobs: deleted {} finished jobs older than {}", deleted, retention);
      }
      return deleted;
    } catch (RuntimeException e) {
      LOG.warn("asyncjobs: deleting finished jobs failed; trying again in {}", interval, e);
      return 0;
    }
  }

  @Override
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return timer != null;
  }
}
