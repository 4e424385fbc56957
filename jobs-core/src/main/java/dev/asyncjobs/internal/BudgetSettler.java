package dev.asyncjobs.internal;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a budgeted job's reservation with what it consumed once it has ended (completed,
 * failed for good, cancelled, rescued into a final status): a listener the worker calls first, and
 * a step of {@code JobManager.cancel}. A failed write leaves the reservation counted, which errs on
 * the owner's side of caution; it is logged.
 */
public final class BudgetSettler implements WorkerListener {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetSettler.class);

  private final JobStore store;
  private final PriceTable prices;

  /**
   * Settles on {@code store} with {@code prices}.
   *
   * @param store the store
   * @param prices what usage costs
   */
  public BudgetSettler(JobStore store, PriceTable prices) {
    this.store = store;
    this.prices = prices;
  }

  /**
   * Settles {@code job} if it was budgeted and has ended, on a store that keeps budgets.
   *
   * @param job the job after its last change
   */
  public void settle(Job job) {
    if (job.budgetReserved() == null || !job.status().isFinal()
        || !store.capabilities().contains(StoreCapability.BUDGETS)) {
      return;
    }
    BudgetAmount actual = BudgetAmount.of(job.usage(), prices);
    try {
      store.settleBudget(job.id(), actual);
    } catch (RuntimeException e) {
      LOG.warn("job {}: could not settle its budget to {} (its reservation {} stays counted): {}", job.id(), actual,
          job.budgetReserved(), e.toString());
    }
  }

  @Override
  public void onCompleted(Job job, Duration duration) {
    settle(job);
  }

  @Override
  public void onFailed(Job job, Throwable error) {
    settle(job);
  }

  @Override
  public void onCancelled(Job job) {
    settle(job);
  }

  @Override
  public void onRescued(Job job) {
    settle(job);
  }

  /** A job released at shutdown ends CANCELLED when its cancel was pending. */
  @Override
  public void onReleased(Job job) {
    settle(job);
  }
}
