package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a child JVM's database is, from the system properties the test passes ({@code
 * reliability.db.url}, {@code .user}, {@code .password}, {@code .schema}).
 */
record ChildDatabase(String url, String user, String password, String schema) {

  static ChildDatabase fromSystemProperties() {
    return new ChildDatabase(
        required("reliability.db.url"), required("reliability.db.user"),
        System.getProperty("reliability.db.password", ""), required("reliability.db.schema"));
  }

  private static String required(String name) {
    return Objects.requireNonNull(System.getProperty(name), "system property " + name);
  }

  /**
   * A pool that gives up on a connection after {@code worker.connectionTimeoutMillis} (default 2 s,
   * at least 250 ms), so that an outage surfaces as errors, not hangs.
   */
  HikariDataSource pool(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(Math.min(2, size));
    config.setConnectionTimeout(Long.getLong("worker.connectionTimeoutMillis", 2000));
    config.setPoolName(name);
    return new HikariDataSource(config);
  }

  /** A store on the schema, sharing {@code pool}. */
  PostgresJobStore store(HikariDataSource pool) {
    return PostgresJobStore.builder().dataSource(pool).schema(schema)
        .listenerReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .build();
  }
}
