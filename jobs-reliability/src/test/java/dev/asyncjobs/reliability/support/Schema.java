package dev.asyncjobs.reliability.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One test's own schema on the test server (or on a database of its own), with a small pool;
 * {@link #close()} drops it. Child JVMs are pointed at it with {@link #childProperties}.
 */
public final class Schema implements AutoCloseable {
  private final TestServer.Server server;
  private final String name;
  private final HikariDataSource dataSource;

  private Schema(TestServer.Server server, String name, HikariDataSource dataSource) {
    this.server = server;
    this.name = name;
    this.dataSource = dataSource;
  }

  /** A new, empty schema named {@code <prefix>_<random>} on {@code server}. */
  public static Schema create(TestServer.Server server, String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    HikariDataSource ds = pool(server, "test-" + name, 8);
    Schema schema = new Schema(server, name, ds);
    schema.execute("CREATE SCHEMA " + name);
    return schema;
  }

  /** A Hikari pool on {@code server} that fails fast (2 s) when the database is unreachable. */
  public static HikariDataSource pool(TestServer.Server server, String poolName, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.url());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(2000);
    config.setPoolName(poolName);
    return new HikariDataSource(config);
  }

  /** The schema's name. */
  public String name() {
    return name;
  }

  /** The server it is on. */
  public TestServer.Server server() {
    return server;
  }

  /** The test's own pool on it. */
  public HikariDataSource dataSource() {
    return dataSource;
  }

  /** {@code name.table}. */
  public String table(String table) {
    return name + "." + table;
  }

  /** A store builder on this schema and the test's pool, with a quick listener reconnect. */
  public PostgresJobStore.Builder storeBuilder() {
    return PostgresJobStore.builder().dataSource(dataSource).schema(name)
        .listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  /** The system properties that tell a child JVM where this schema is (read by {@code ChildDatabase}). */
  public List<String> childProperties() {
    return List.of(
        "-Dreliability.db.url=" + server.url(),
        "-Dreliability.db.user=" + server.user(),
        "-Dreliability.db.password=" + server.password(),
        "-Dreliability.db.schema=" + name);
  }

  /** Runs statements, each on its own connection. */
  public void execute(String... sql) {
    for (String s : sql) {
      try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
        st.execute(s);
      } catch (SQLException e) {
        throw new IllegalStateException(s + ": " + e.getMessage(), e);
      }
    }
  }

  /** Every row of {@code sql}, each as the text of its columns. */
  public List<List<String>> rows(String sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      List<List<String>> out = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of every row of {@code sql}. */
  public List<String> column(String sql) {
    List<String> out = new ArrayList<>();
    rows(sql).forEach(r -> out.add(r.get(0)));
    return out;
  }

  /** The single number {@code sql} returns. */
  public long number(String sql) {
    List<String> values = column(sql);
    if (values.size() != 1) {
      throw new IllegalStateException(sql + " returned " + values.size() + " rows");
    }
    return Long.parseLong(values.get(0));
  }

  /** Drops the schema and closes the pool. */
  @Override
  public void close() {
    try {
      execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } finally {
      dataSource.close();
    }
  }
}
