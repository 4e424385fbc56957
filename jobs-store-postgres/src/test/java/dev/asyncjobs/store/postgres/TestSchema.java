package dev.asyncjobs.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh schema with a random name and a small pool on the test server. As a JUnit extension
 * ({@code @RegisterExtension static final TestSchema schema = new TestSchema();}) it exists for
 * the test class and is dropped after it; {@link PostgresTestDatabase#newSchema()} makes one that
 * the caller closes.
 */
public final class TestSchema implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private @Nullable String name;
  private @Nullable HikariDataSource dataSource;

  /** A schema made when the test class starts (as an extension) or by {@link #open()}. */
  public TestSchema() {}

  /** Creates the schema and its pool. */
  public TestSchema open() {
    name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    PostgresTestDatabase.Server s = PostgresTestDatabase.server();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(s.url());
    config.setUsername(s.user());
    config.setPassword(s.password());
    config.setMaximumPoolSize(12);
    config.setMinimumIdle(0);
    config.setPoolName("test-" + name);
    dataSource = new HikariDataSource(config);
    execute("CREATE SCHEMA " + name);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** The schema's name. */
  public String name() {
    return Objects.requireNonNull(name, "the schema is not open");
  }

  /** A pool on the test server. */
  public HikariDataSource dataSource() {
    return Objects.requireNonNull(dataSource, "the schema is not open");
  }

  /** A store builder on this schema and pool, with a short listener backoff. */
  public PostgresJobStore.Builder storeBuilder(Clock clock) {
    return PostgresJobStore.builder().dataSource(dataSource()).schema(name()).clock(clock)
        .listenerReconnectBackoff(java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1));
  }

  /** Runs statements, each on its own. */
  public void execute(String... sql) {
    for (String s : sql) {
      PostgresTestDatabase.execute(dataSource(), s);
    }
  }

  /** The first column of every row of {@code sql}, as text. */
  public List<String> column(String sql) {
    try (Connection c = dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
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
    execute("TRUNCATE " + name() + ".jobs, " + name() + ".jobs_quota_ledger, " + name() + ".jobs_events RESTART IDENTITY");
    execute("UPDATE " + name() + ".jobs_events_pruned SET through = 0");
    return store;
  }

  /** Drops the schema and closes the pool. */
  @Override
  public void close() {
    if (dataSource == null) {
      return;
    }
    try {
      execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } finally {
      dataSource.close();
      dataSource = null;
    }
  }
}
