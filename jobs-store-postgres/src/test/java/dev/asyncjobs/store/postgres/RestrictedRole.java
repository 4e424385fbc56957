package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real unprivileged login role on a test schema, under row-level security: granted as
 * docs/postgresql.md says ({@link #web}), or whole rows as installations before V5 were ({@link
 * #wholeRows}). Dropped with everything granted to it on close.
 */
final class RestrictedRole implements AutoCloseable {
  private final TestSchema schema;
  private final String name;

  private RestrictedRole(TestSchema schema, String name, String... grants) {
    this.schema = schema;
    this.name = name;
    schema.execute("CREATE ROLE " + name + " LOGIN PASSWORD '" + name + "'");
    schema.execute(grants);
  }

  /** A role granted {@link PostgresJobStore#webRoleGrants}, named after the schema and {@code suffix}. */
  static RestrictedRole web(TestSchema schema, String suffix) {
    String name = schema.name() + "_" + suffix;
    return new RestrictedRole(schema, name, PostgresJobStore.webRoleGrants(schema.name(), "", name));
  }

  /** A role granted {@code SELECT, INSERT, UPDATE} on whole rows of the jobs table. */
  static RestrictedRole wholeRows(TestSchema schema, String suffix) {
    String name = schema.name() + "_" + suffix;
    return new RestrictedRole(schema, name, "GRANT USAGE ON SCHEMA " + schema.name() + " TO " + name,
        "GRANT SELECT, INSERT, UPDATE ON " + schema.name() + ".jobs TO " + name);
  }

  /** {@return the role's name, which is also its password} */
  String name() {
    return name;
  }

  /** A connection of this role, scoped to {@code owner} for the session. */
  Connection as(String owner) throws SQLException {
    Connection c = DriverManager.getConnection(TestPostgres.server().url(), name, name);
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('asyncjobs.owner_id', '" + owner + "', false)");
    }
    return c;
  }

  /** A store on this role, which migrates nothing. */
  PostgresJobStore store(dev.asyncjobs.tck.MutableClock clock, HikariDataSource pool) {
    pool.setJdbcUrl(TestPostgres.server().url());
    pool.setUsername(name);
    pool.setPassword(name);
    pool.setMaximumPoolSize(2);
    return PostgresJobStore.builder().dataSource(pool).schema(schema.name()).autoMigrate(false).clock(clock).build();
  }

  /** Asserts that {@code sql} fails with insufficient_privilege and {@code message}. */
  static void refused(Connection c, String sql, String message) {
    assertThatThrownBy(() -> {
          try (Statement st = c.createStatement()) {
            st.execute(sql);
          }
        })
        .as(sql).isInstanceOf(SQLException.class).hasMessageContaining(message)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("insufficient_privilege").isEqualTo("42501"));
  }

  @Override
  public void close() {
    schema.execute("DROP OWNED BY " + name, "DROP ROLE " + name);
  }
}
