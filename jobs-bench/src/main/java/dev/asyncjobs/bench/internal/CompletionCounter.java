package dev.asyncjobs.bench.internal;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Tells when a run is over, wherever its jobs ran: it asks the table every few milliseconds
 * whether a job is still PENDING or PROCESSING (each of the two partial indexes answers for its
 * status with its first entry; {@code status IN (…)} would make the planner scan the table). It does not
 * subscribe to events: the run's JVM must not do work that the baseline loop does not do, and a
 * subscriber's reads would be just that.
 */
final class CompletionCounter {
  private static final long POLL_MILLIS = 10;

  private CompletionCounter() {}

  /** Waits until no job of {@code table} is PENDING or PROCESSING; throws after {@code limit}. */
  static void await(Duration limit, BenchSchema schema, String table) throws InterruptedException, SQLException {
    String t = schema.table(table);
    awaitNone(limit, schema, "SELECT CASE WHEN EXISTS (SELECT 1 FROM " + t + " WHERE status = 'PENDING')"
        + " OR EXISTS (SELECT 1 FROM " + t + " WHERE status = 'PROCESSING') THEN 1 ELSE 0 END");
  }

  /**
   * Waits, asking as often as {@link #await} does, until {@code left} (a query of one number, 0 when
   * nothing is left) answers 0; throws after {@code limit}. For tables other than the store's, e.g.
   * the peers' of pg-peers.
   */
  static void awaitNone(Duration limit, BenchSchema schema, String left) throws InterruptedException, SQLException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (schema.count(left) > 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("jobs not done after " + limit.toSeconds() + " s");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }
}
