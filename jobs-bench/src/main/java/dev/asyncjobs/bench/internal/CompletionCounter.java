package dev.asyncjobs.bench.internal;

import dev.asyncjobs.EventSubscription;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStore;
import dev.asyncjobs.Subscription;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts COMPLETED events of every process sharing the store (they arrive through the store's
 * subscription), so that a run ends when its last job is done, wherever it ran.
 */
final class CompletionCounter implements AutoCloseable {
  private final CountDownLatch done;
  private final Subscription subscription;

  CompletionCounter(JobStore store, int expected) {
    this.done = new CountDownLatch(expected);
    this.subscription = store.subscribe(EventSubscription.allOwners(), e -> {
      if (e.kind() == JobEvent.Kind.COMPLETED) {
        done.countDown();
      }
    });
  }

  /**
   * Waits until every job completed. Should an event be missed (it should not: the log keeps them),
   * the table is asked once a second whether anything is left, so the run still ends.
   */
  void await(Duration limit, BenchSchema schema, String table) throws InterruptedException, SQLException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.await(1, TimeUnit.SECONDS)) {
      if (schema.count("SELECT count(*) FROM " + schema.table(table) + " WHERE status IN ('PENDING', 'PROCESSING')") == 0) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("jobs not done after " + limit.toSeconds() + " s (" + done.getCount() + " left)");
      }
    }
  }

  @Override
  public void close() {
    subscription.close();
  }
}
