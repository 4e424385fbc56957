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

/**
 * The baseline of pg-throughput: the smallest hand-written queue consumer. Each of its threads has
 * its own connection and two prepared statements: a claim of up to {@code batch} due jobs with
 * {@code FOR UPDATE SKIP LOCKED}, and one UPDATE that completes the batch (fenced by worker id). No
 * pool, no notifications, no leases renewed, no events: what a library adds is what it is compared to.
 */
final class SkipLockedLoop {
  private final PgServer pg;
  private final String table;
  private final int threads;
  private final int batch;

  SkipLockedLoop(PgServer pg, String table, int threads, int batch) {
    this.pg = pg;
    this.table = table;
    this.threads = threads;
    this.batch = batch;
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
    String claim =
        "UPDATE " + table + " AS j SET status = 'PROCESSING', attempts = j.attempts + 1, started_at = now(),"
            + " updated_at = now(), worker_id = ?, lease_until = now() + interval '30 seconds'"
            + " FROM (SELECT id FROM " + table + " WHERE status = 'PENDING' AND run_at <= now()"
            + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED) AS next"
            + " WHERE j.id = next.id RETURNING j.id, j.payload::text";
    String complete =
        "UPDATE " + table + " SET status = 'COMPLETED', result = '{}'::jsonb, progress = 100,"
            + " actual_duration = interval '0', finished_at = now(), updated_at = now(), worker_id = NULL, lease_until = NULL"
            + " WHERE id = ANY(?) AND worker_id = ? AND status = 'PROCESSING'";
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
        count += completeSt.executeUpdate();
      }
    }
  }
}
