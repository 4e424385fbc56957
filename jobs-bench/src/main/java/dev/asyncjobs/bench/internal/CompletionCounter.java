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
    awaitNone(limit, schema, anyIn(schema, table, "status", "PENDING", "PROCESSING"));
  }

  /**
   * A query of one number: 1 while a row of {@code table} has one of {@code states} in {@code
   * column}, else 0. One EXISTS per state, so that each is answered by an index's first entry.
   */
  static String anyIn(BenchSchema schema, String table, String column, String... states) {
    String t = schema.table(table);
    StringBuilder q = new StringBuilder("SELECT CASE WHEN ");
    for (int i = 0; i < states.length; i++) {
      q.append(i == 0 ? "" : " OR ").append("EXISTS (SELECT 1 FROM ").append(t).append(" WHERE ").append(column)
          .append(" = '").append(states[i]).append("')");
    }
    return q.append(" THEN 1 ELSE 0 END").toString();
  }

  /**
   * Throws unless {@code table} holds exactly {@code n} rows, every one with {@code state} in {@code
   * column}; the message names {@code library}.
   */
  static void requireAll(BenchSchema schema, String table, String column, String state, int n, String library)
      throws SQLException {
    long done = schema.count("SELECT count(*) FROM " + schema.table(table) + " WHERE " + column + " = '" + state + "'");
    long all = schema.count("SELECT count(*) FROM " + schema.table(table));
    if (done != n || all != n) {
      throw new IllegalStateException(library + ": " + done + " of " + all + " jobs " + state + ", expected " + n);
    }
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
