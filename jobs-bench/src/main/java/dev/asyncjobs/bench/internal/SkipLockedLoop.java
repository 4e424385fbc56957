package dev.asyncjobs.bench.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The baseline of pg-throughput: the smallest hand-written queue consumer. Each of its threads has
 * its own connection and two prepared statements: a claim of up to {@code batch} due jobs with
 * {@code FOR UPDATE SKIP LOCKED}, and one UPDATE that completes the batch (fenced by worker id). No
 * pool, no notifications, no leases renewed, no events: what a library adds is what it is compared to.
 * For reference it can also append one event per changed row to an event log table, as the
 * store's own statements do (a data-modifying CTE in the same statement).
 */
final class SkipLockedLoop {
  private final PgServer pg;
  private final String table;
  private final int threads;
  private final int batch;
  private final @Nullable String eventLog;

  /**
   * A loop over {@code table}.
   *
   * @param eventLog the qualified event log table to append to (its sequence is {@code
   *     <eventLog>_seq}), or null for none
   */
  SkipLockedLoop(PgServer pg, String table, int threads, int batch, @Nullable String eventLog) {
    this.pg = pg;
    this.table = table;
    this.threads = threads;
    this.batch = batch;
    this.eventLog = eventLog;
  }

  /** {@code update} (returning {@code returning} of the changed rows) appending an event of {@code kind} per row. */
  private String logged(String update, String returning, String kind) {
    if (eventLog == null) {
      return update + " RETURNING " + returning;
    }
    return "WITH c AS (" + update + " RETURNING j.*), e AS (INSERT INTO " + eventLog
        + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)"
        + " SELECT nextval('" + eventLog + "_seq'), c.id, c.owner_id, '" + kind + "', c.type, c.status, c.progress, NULL,"
        + " c.attempts, NULL, c.updated_at FROM c) SELECT " + returning.replace("j.", "c.") + " FROM c";
  }

  /**
   * Processes every PENDING row of the table.
   *
   * @return nanoseconds from the start gate to the last completion, and how many jobs it did
   */
  long[] run() throws Exception {
    List<Thread> all = new ArrayList<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long[] done = new long[threads];
    for (int i = 0; i < threads; i++) {
      int me = i;
      Thread t = new Thread(() -> {
        try (Connection c = pg.connect()) {
          done[me] = consume(c, "baseline-" + me, ready, gate);
        } catch (Exception e) {
          failure.compareAndSet(null, e);
          ready.countDown();
        }
      }, "bench-skip-locked-" + i);
      all.add(t);
      t.start();
    }
    ready.await();
    long t0 = System.nanoTime();
    gate.countDown();
    for (Thread t : all) {
      t.join();
    }
    long nanos = System.nanoTime() - t0;
    if (failure.get() != null) {
      throw failure.get();
    }
    long total = 0;
    for (long d : done) {
      total += d;
    }
    return new long[] {nanos, total};
  }

  private long consume(Connection c, String worker, CountDownLatch ready, CountDownLatch gate) throws SQLException, InterruptedException {
    String claim = logged(
        "UPDATE " + table + " AS j SET status = 'PROCESSING', attempts = j.attempts + 1, started_at = now(),"
            + " updated_at = now(), worker_id = ?, lease_until = now() + interval '30 seconds'"
            + " FROM (SELECT id FROM " + table + " WHERE status = 'PENDING' AND run_at <= now()"
            + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) AS next"
            + " WHERE j.id = next.id", "j.id, j.payload::text", "STARTED");
    String complete = logged(
        "UPDATE " + table + " AS j SET status = 'COMPLETED', result = '{}'::jsonb, progress = 100,"
            + " actual_duration = interval '0', finished_at = now(), updated_at = now(), worker_id = NULL, lease_until = NULL"
            + " WHERE j.id = ANY(?) AND j.worker_id = ? AND j.status = 'PROCESSING'", "j.id", "COMPLETED");
    long count = 0;
    try (PreparedStatement claimSt = c.prepareStatement(claim); PreparedStatement completeSt = c.prepareStatement(complete)) {
      ready.countDown();
      gate.await();
      List<UUID> ids = new ArrayList<>(batch);
      while (true) {
        ids.clear();
        claimSt.setString(1, worker);
        claimSt.setInt(2, batch);
        try (ResultSet rs = claimSt.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getObject(1, UUID.class));
            rs.getString(2); // the job would read its payload
          }
        }
        if (ids.isEmpty()) {
          return count;
        }
        Array array = c.createArrayOf("uuid", ids.toArray());
        completeSt.setArray(1, array);
        completeSt.setString(2, worker);
        try (ResultSet rs = completeSt.executeQuery()) {
          while (rs.next()) {
            count++;
          }
        }
      }
    }
  }
}
