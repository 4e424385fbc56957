package dev.asyncjobs.bench.internal;

import dev.asyncjobs.spi.JobIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * The baseline of pg-enqueue: the rows the library would write (uuid v7 id, owner, type, payload,
 * priority, attempts, runAt, estimate, timestamps), inserted with plain JDBC and a prepared
 * statement, one row per statement in autocommit, or in JDBC batches that the driver rewrites into
 * multi-row INSERTs ({@code reWriteBatchedInserts}), one transaction per batch.
 */
final class PlainInserts {
  private final PgServer pg;
  private final String sql;

  PlainInserts(PgServer pg, String table) {
    this.pg = pg;
    this.sql =
        "INSERT INTO " + table + " (id, owner_id, type, payload, priority, max_attempts, run_at, estimated_duration,"
            + " created_at, updated_at) VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, CAST(? AS bigint) * interval '1 microsecond', ?, ?)";
  }

  /** A connection for {@link #single} or {@link #batched}. */
  Connection connect(boolean batched) throws SQLException {
    Properties p = new Properties();
    if (batched) {
      p.setProperty("reWriteBatchedInserts", "true");
    }
    return pg.connect(p);
  }

  /** Inserts rows {@code first} … {@code first + count - 1}, one statement (and commit) each. */
  void single(Connection c, int first, int count) throws SQLException {
    c.setAutoCommit(true);
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < count; i++) {
        bind(st, first + i);
        st.executeUpdate();
      }
    }
  }

  /** Inserts rows in batches of {@code batch}, one transaction per batch. */
  void batched(Connection c, int first, int count, int batch) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int done = 0; done < count; ) {
        int n = Math.min(batch, count - done);
        for (int i = 0; i < n; i++) {
          bind(st, first + done + i);
          st.addBatch();
        }
        st.executeBatch();
        c.commit();
        done += n;
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void bind(PreparedStatement st, int seq) throws SQLException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    st.setObject(1, JobIds.newId(Clock.systemUTC()));
    st.setString(2, Batches.OWNER);
    st.setString(3, NoopGenerator.TYPE);
    st.setString(4, NoopGenerator.payload(seq));
    st.setInt(5, 5);
    st.setInt(6, 3);
    st.setObject(7, now);
    st.setLong(8, 30_000_000L);
    st.setObject(9, now);
    st.setObject(10, now);
  }
}
