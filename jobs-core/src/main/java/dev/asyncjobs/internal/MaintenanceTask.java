package dev.asyncjobs.internal;

import dev.asyncjobs.ClusterTask;
import dev.asyncjobs.Maintenance;
import dev.asyncjobs.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in maintenance, one run per tick: finished jobs past their retention, then the event
 * log past its retention, each in bounded batches. The store's cleanup also prunes the quota,
 * limit and budget records that no window counts any more, so it is called even when finished
 * jobs are kept for ever (with a cutoff no job finished before).
 */
public final class MaintenanceTask implements ClusterTask {
  /** The schedule row's name. */
  public static final String NAME = "asyncjobs.maintenance";
  /** Event batches are this many times the job batches: events are small, and a job makes many. */
  public static final int EVENT_BATCH_FACTOR = 10;
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceTask.class);

  private final JobStore store;
  private final Maintenance settings;
  private final Duration eventRetention;

  /**
   * @param store the store to clean
   * @param settings what to delete, how much per run
   * @param eventRetention how long events are kept
   */
  public MaintenanceTask(JobStore store, Maintenance settings, Duration eventRetention) {
    this.store = store;
    this.settings = settings;
    this.eventRetention = eventRetention;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public boolean claimFirst() {
    return true; // two runs at once would only race for the same rows
  }

  /** Deletes batch after batch until one comes back short or {@code maxBatches} ran; returns how many rows. */
  private int inBatches(int batch, java.util.function.IntUnaryOperator delete) {
    int total = 0;
    for (int i = 0; i < settings.maxBatches(); i++) {
      int n = delete.applyAsInt(batch);
      total += n;
      if (n < batch) {
        break;
      }
    }
    return total;
  }

  @Override
  public @Nullable String run(@Nullable String state, Instant now) {
    Instant jobCutoff = settings.finishedJobRetention().map(now::minus).orElse(Instant.EPOCH);
    int jobs = inBatches(settings.batchSize(), limit -> store.deleteFinishedBefore(jobCutoff, limit));
    Instant eventCutoff = now.minus(eventRetention);
    int events = inBatches(settings.batchSize() * EVENT_BATCH_FACTOR, limit -> store.pruneEvents(eventCutoff, limit));
    if (jobs > 0 || events > 0) {
      LOG.info("maintenance deleted {} finished jobs and {} events", jobs, events);
    }
    return null;
  }
}
