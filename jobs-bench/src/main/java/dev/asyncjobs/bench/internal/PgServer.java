package dev.asyncjobs.bench.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server of the pg scenarios: {@code JOBS_BENCH_JDBC_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test}), {@code JOBS_BENCH_JDBC_USER} (default postgres) and
 * {@code JOBS_BENCH_JDBC_PASSWORD} (default empty), from system properties or the environment.
 *
 * @param url JDBC URL
 * @param user user
 * @param password password
 */
public record PgServer(String url, String user, String password) {
  /** The server a fresh machine of this project has. */
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  /** The server the settings name. */
  public static PgServer fromSettings() {
    return new PgServer(
        setting("JOBS_BENCH_JDBC_URL", DEFAULT_URL),
        setting("JOBS_BENCH_JDBC_USER", "postgres"),
        setting("JOBS_BENCH_JDBC_PASSWORD", ""));
  }

  private static String setting(String name, String fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      v = System.getenv(name);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  /** A plain connection (autocommit), with extra driver properties. */
  Connection connect(Properties extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("ApplicationName", "asyncjobs-bench");
    p.putAll(extra);
    return DriverManager.getConnection(url, p);
  }

  Connection connect() throws SQLException {
    return connect(new Properties());
  }

  /** The server's version, or {@code null} with the reason in {@code why[0]} when it cannot be reached. */
  @Nullable String version(String[] why) {
    Properties p = new Properties();
    p.setProperty("connectTimeout", "3");
    p.setProperty("loginTimeout", "3");
    try (Connection c = connect(p); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version()")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      why[0] = e.getMessage();
      return null;
    }
  }

  /** A fresh schema named after the scenario, with a pool of {@code poolSize}; close it to drop it. */
  BenchSchema newSchema(String scenario, int poolSize) throws SQLException {
    String name = ("bench_" + scenario.replace('-', '_') + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(poolSize, 4));
    config.setPoolName("bench-" + name);
    config.addDataSourceProperty("ApplicationName", "asyncjobs-bench");
    HikariDataSource ds = new HikariDataSource(config);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    } catch (SQLException | RuntimeException e) {
      ds.close();
      throw e;
    }
    return new BenchSchema(this, name, ds);
  }
}
