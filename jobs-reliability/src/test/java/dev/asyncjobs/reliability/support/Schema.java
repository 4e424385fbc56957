package dev.asyncjobs.reliability.support;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.List;

/**
 * One test's own schema on the test server (or on a database of its own): the shared {@link
 * PostgresSchema} with pools that fail fast and what this suite adds, a store builder and the
 * properties that point a child JVM at it ({@link #childProperties}).
 */
public final class Schema extends PostgresSchema {
  /** How long a pool of this suite waits for a connection: an outage surfaces as errors, not hangs. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

  private Schema(TestPostgres.Server server, String prefix) {
    super(server, prefix, 8, CONNECTION_TIMEOUT);
  }

  /** A new, empty schema named {@code <prefix>_<random>} on {@code server}. */
  public static Schema create(TestPostgres.Server server, String prefix) {
    Schema schema = new Schema(server, prefix);
    schema.open();
    return schema;
  }

  /** A Hikari pool on {@code server} that fails fast ({@link #CONNECTION_TIMEOUT}) when the database is unreachable. */
  public static HikariDataSource pool(TestPostgres.Server server, String poolName, int size) {
    return server.pool(poolName, size, CONNECTION_TIMEOUT);
  }

  /** A store builder on this schema and the test's pool, with a quick listener reconnect. */
  public PostgresJobStore.Builder storeBuilder() {
    return PostgresJobStore.builder().dataSource(dataSource()).schema(name())
        .listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  /** The system properties that tell a child JVM where this schema is (read by {@code ChildDatabase}). */
  public List<String> childProperties() {
    TestPostgres.Server server = server();
    return List.of(
        "-Dreliability.db.url=" + server.url(),
        "-Dreliability.db.user=" + server.user(),
        "-Dreliability.db.password=" + server.password(),
        "-Dreliability.db.schema=" + name());
  }
}
