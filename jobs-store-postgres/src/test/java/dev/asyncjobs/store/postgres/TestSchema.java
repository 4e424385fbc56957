package dev.asyncjobs.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** One test class's schema and pool; {@link #close()} drops the schema and closes the pool. */
public final class TestSchema implements AutoCloseable {
  private final String name;
  private final HikariDataSource dataSource;

  TestSchema(String name, HikariDataSource dataSource) {
    this.name = name;
    this.dataSource = dataSource;
  }

  /** The schema's name. */
  public String name() {
    return name;
  }

  /** A pool on the test server. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** A store builder on this schema and pool, with a short listener backoff. */
  public PostgresJobStore.Builder storeBuilder(Clock clock) {
    return PostgresJobStore.builder().dataSource(dataSource).schema(name).clock(clock)
        .listenerReconnectBackoff(java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1));
  }

  /** Runs statements, each on its own. */
  public void execute(String... sql) {
    for (String s : sql) {
      PostgresTestDatabase.execute(dataSource, s);
    }
  }

  /** The first column of every row of {@code sql}, as text. */
  public List<String> column(String sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of {@code sql}, as text. */
  public String value(String sql) {
    List<String> rows = column(sql);
    if (rows.size() != 1) {
      throw new IllegalStateException(sql + " returned " + rows.size() + " rows");
    }
    return rows.get(0);
  }

  /** A store on this schema whose tables are empty (a store per test of a contract suite). */
  public PostgresJobStore emptyStore(Clock clock) {
    PostgresJobStore store = storeBuilder(clock).build();
    execute("TRUNCATE " + name + ".jobs, " + name + ".jobs_quota_ledger");
    return store;
  }

  @Override
  public void close() {
    try {
      execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } finally {
      dataSource.close();
    }
  }
}
