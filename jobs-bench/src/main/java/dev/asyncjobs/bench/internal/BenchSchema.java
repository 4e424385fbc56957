package dev.asyncjobs.bench.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One scenario's schema and pool; {@link #close()} drops the schema. */
final class BenchSchema implements AutoCloseable {
  private final PgServer server;
  private final String name;
  private final HikariDataSource pool;

  BenchSchema(PgServer server, String name, HikariDataSource pool) {
    this.server = server;
    this.name = name;
    this.pool = pool;
  }

  String name() {
    return name;
  }

  PgServer server() {
    return server;
  }

  HikariDataSource pool() {
    return pool;
  }

  /** {@code table} qualified with this schema. */
  String table(String table) {
    return name + "." + table;
  }

  /** A store on this schema and pool, migrating it on first use. */
  PostgresJobStore store() {
    return PostgresJobStore.builder().dataSource(pool).schema(name).build();
  }

  /** Runs statements on one connection, each in its own transaction. */
  void execute(String... sql) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /**
   * Runs statements on one connection with triggers off ({@code session_replication_role =
   * replica}), for bulk loads that must not fill the event log.
   */
  void executeWithoutTriggers(String... sql) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      try {
        for (String q : sql) {
          s.execute(q);
        }
      } finally {
        s.execute("SET session_replication_role = DEFAULT");
      }
    }
  }

  /** The single number {@code sql} returns. */
  long count(String sql) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Makes runs comparable: statistics and visibility map fresh (VACUUM ANALYZE), dirty pages
   * written (CHECKPOINT), so that no run pays for the previous one's writes.
   */
  void settle(String... tables) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      for (String t : tables) {
        s.execute("VACUUM ANALYZE " + table(t));
      }
      s.execute("CHECKPOINT");
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } finally {
      pool.close();
    }
  }
}
