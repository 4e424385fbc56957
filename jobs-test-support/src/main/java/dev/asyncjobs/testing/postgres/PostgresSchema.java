package dev.asyncjobs.testing.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, empty schema with a random name ({@code <prefix>_<16 hex digits>}) and a small pool of
 * its own on the test server ({@link TestPostgres#server()} unless another is given). Dropped, with
 * everything in it, by {@link #close()}.
 *
 * <p>As a JUnit 5 extension it exists for one test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresSchema schema = new PostgresSchema();
 *
 * @Test
 * void something() {
 *   try (PostgresJobStore store = PostgresJobStore.builder()
 *       .dataSource(schema.dataSource()).schema(schema.name()).build()) {
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>Outside JUnit's lifecycle, {@link #open()} makes one that the caller closes. A module may
 * extend the class with helpers of its own (a store builder on the schema, say).
 */
public class PostgresSchema implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,30}");

  private final TestPostgres.@Nullable Server givenServer;
  private final String prefix;
  private final int poolSize;
  private final Duration connectionTimeout;
  private TestPostgres.@Nullable Server server;
  private @Nullable String name;
  private @Nullable HikariDataSource dataSource;

  /**
   * A schema named {@code t_…} on {@link TestPostgres#server()} with a pool of up to 12
   * connections and Hikari's usual 30 s connection timeout; made when the test class starts (as an
   * extension) or by {@link #open()}.
   */
  public PostgresSchema() {
    this(null, "t", 12, Duration.ofSeconds(30));
  }

  /**
   * A schema on {@code server} (or on {@link TestPostgres#server()} when null), made by {@link
   * #open()} or when the test class starts.
   *
   * @param server the server, e.g. {@code TestPostgres.server().withDatabase("other")}; null for the default
   * @param prefix the start of the schema's name: lower-case letters, digits and {@code _}, at most 31
   * @param poolSize the most connections its pool opens
   * @param connectionTimeout how long a caller waits for a connection of the pool before it fails
   */
  public PostgresSchema(TestPostgres.@Nullable Server server, String prefix, int poolSize, Duration connectionTimeout) {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("a schema prefix is lower-case letters, digits and _, at most 31, was '" + prefix + "'");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    this.givenServer = server;
    this.prefix = prefix;
    this.poolSize = poolSize;
    this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
  }

  /** The unique id of the JUnit context whose {@code beforeAll} opened the schema, while it is open. */
  private @Nullable String openedBy;

  /**
   * Creates the schema and its pool.
   *
   * @return this schema
   * @throws IllegalStateException when it is open already, or the server refuses
   */
  public PostgresSchema open() {
    if (dataSource != null) {
      throw new IllegalStateException("schema " + name + " is open already");
    }
    TestPostgres.Server s = givenServer != null ? givenServer : TestPostgres.server();
    String n = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    HikariDataSource ds = s.pool("test-" + n, poolSize, connectionTimeout);
    try {
      TestPostgres.execute(ds, "CREATE SCHEMA " + n);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    server = s;
    name = n;
    dataSource = ds;
    return this;
  }

  /**
   * Opens the schema before the test class's first test. JUnit calls this again for each
   * {@code @Nested} class of that test class (such as the suites of {@code JobStoreTck}): those
   * share the schema the outer class opened.
   *
   * @param context the test class's context
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    if (openedBy == null) {
      open();
      openedBy = context.getUniqueId();
    }
  }

  /**
   * Drops the schema after the last test of the test class that opened it (not after each of its
   * nested classes).
   *
   * @param context the test class's context
   */
  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(openedBy)) {
      openedBy = null;
      close();
    }
  }

  /**
   * The schema's name, for SQL and for a store's {@code schema(…)}; still known after {@link #close()}.
   *
   * @return the name, e.g. {@code t_3f2a…}
   * @throws IllegalStateException when the schema was never opened
   */
  public String name() {
    return require(name);
  }

  /**
   * The server the schema is on.
   *
   * @return the server
   * @throws IllegalStateException when the schema was never opened
   */
  public TestPostgres.Server server() {
    return require(server);
  }

  /**
   * The schema's pool, logged in as the server's user (its search path is not set: name tables
   * with {@link #table(String)}).
   *
   * @return the pool, closed by {@link #close()}
   * @throws IllegalStateException when the schema is not open
   */
  public HikariDataSource dataSource() {
    return require(dataSource);
  }

  /**
   * A table's qualified name.
   *
   * @param table the table, e.g. {@code jobs}
   * @return {@code <schema>.<table>}
   */
  public String table(String table) {
    return name() + "." + table;
  }

  /**
   * Runs statements, each on a connection of its own.
   *
   * @param sql the statements
   * @throws IllegalStateException when one fails (the ones after it do not run)
   */
  public void execute(String... sql) {
    for (String s : sql) {
      TestPostgres.execute(dataSource(), s);
    }
  }

  /**
   * Every row of a query, each as the text of its columns.
   *
   * @param sql the query
   * @return the rows, in the order the query gives them
   * @throws IllegalStateException when the query fails
   */
  public List<List<@Nullable String>> rows(String sql) {
    try (Connection c = dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      List<List<@Nullable String>> out = new ArrayList<>();
      while (rs.next()) {
        List<@Nullable String> row = new ArrayList<>(columns);
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

  /**
   * The first column of every row of a query, as text.
   *
   * @param sql the query
   * @return the values, null for SQL NULL
   * @throws IllegalStateException when the query fails
   */
  public List<@Nullable String> column(String sql) {
    List<@Nullable String> out = new ArrayList<>();
    rows(sql).forEach(r -> out.add(r.get(0)));
    return out;
  }

  /**
   * The single value of a query, as text.
   *
   * @param sql a query that returns one row
   * @return the first column of that row, null for SQL NULL
   * @throws IllegalStateException when the query fails or returns another number of rows
   */
  public @Nullable String value(String sql) {
    List<@Nullable String> rows = column(sql);
    if (rows.size() != 1) {
      throw new IllegalStateException(sql + " returned " + rows.size() + " rows");
    }
    return rows.get(0);
  }

  /**
   * The single number of a query.
   *
   * @param sql a query that returns one row whose first column is a whole number
   * @return the number
   * @throws IllegalStateException when the query fails, returns another number of rows, or NULL
   */
  public long number(String sql) {
    String v = value(sql);
    if (v == null) {
      throw new IllegalStateException(sql + " returned NULL");
    }
    return Long.parseLong(v);
  }

  /** Drops the schema, with everything in it, and closes the pool; does nothing when not open. */
  @Override
  public void close() {
    HikariDataSource ds = dataSource;
    if (ds == null) {
      return;
    }
    try {
      TestPostgres.execute(ds, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } finally {
      ds.close();
      dataSource = null;
    }
  }

  private static <T> T require(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("the schema is not open");
    }
    return value;
  }
}
