package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the shipped SQL files ({@code V1__jobs.sql}, …) to one schema and prefix, under a
 * session advisory lock, so that many processes starting at once migrate exactly once and the
 * others wait, then find nothing to do. Each file runs in its own transaction and records itself in
 * the version table as its last statement, so a failed file leaves nothing behind.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** Where the files are on the class path (a Flyway location: {@code classpath:} + this). */
  public static final String LOCATION = "dev/asyncjobs/store/postgres/migration";

  /** The shipped files, in order. */
  public static final List<Migration> ALL =
      List.of(
          new Migration(1, "V1__jobs.sql"),
          new Migration(2, "V2__functions.sql"),
          new Migration(3, "V3__statement_notifications.sql"),
          new Migration(4, "V4__event_log.sql"),
          new Migration(5, "V5__hardening.sql"),
          new Migration(6, "V6__claim_plan.sql"),
          new Migration(7, "V7__metadata.sql"),
          new Migration(8, "V8__partial_output.sql"),
          new Migration(9, "V9__limits.sql"),
          new Migration(10, "V10__fair_claims.sql"),
          new Migration(11, "V11__usage.sql"),
          new Migration(12, "V12__budgets.sql"),
          new Migration(13, "V13__result_cache.sql"),
          new Migration(14, "V14__optional_owner_index.sql"),
          new Migration(15, "V15__cache_joins.sql"),
          new Migration(16, "V16__durable_fence.sql"),
          new Migration(17, "V17__schedules.sql"),
          new Migration(18, "V18__claim_room.sql"));

  /** First key of the migration lock ("ASJM"); the second is the hash of the jobs table's name. */
  private static final int LOCK_CLASS = 0x41534a4d;

  /**
   * One shipped file.
   *
   * @param version its version, as in its name
   * @param fileName its name under {@link #LOCATION}
   */
  public record Migration(int version, String fileName) {
    /** The file's text with its placeholders as shipped. */
    public String script() {
      String path = LOCATION + "/" + fileName;
      try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
        return new String(Objects.requireNonNull(in, path).readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
  }

  private Migrations() {}

  /** The version the shipped files reach. */
  public static int latestVersion() {
    return ALL.get(ALL.size() - 1).version();
  }

  /**
   * Brings {@code names}' schema up to {@link #latestVersion()}, creating the schema if missing.
   *
   * @return the versions applied by this call (empty when the schema was up to date)
   * @throws JobStoreException a file failed; that file's changes were rolled back
   */
  public static List<Integer> migrate(DataSource dataSource, SchemaNames names) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(true);
      advisoryLock(c, names, "pg_advisory_lock");
      try {
        return applyPending(c, names);
      } finally {
        advisoryLock(c, names, "pg_advisory_unlock");
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new JobStoreException(
          "PostgreSQL job store: migrating schema " + names.schema() + " failed: " + e.getMessage(), e.getSQLState(), e);
    }
  }

  private static List<Integer> applyPending(Connection c, SchemaNames names) throws SQLException {
    createSchemaIfMissing(c, names.schema());
    int current = currentVersion(c, names);
    List<Integer> applied = new ArrayList<>();
    for (Migration m : ALL) {
      if (m.version() <= current) {
        continue;
      }
      long start = System.nanoTime();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(names.substitute(m.script()));
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw new SQLException(m.fileName() + ": " + e.getMessage(), e.getSQLState(), e);
      } finally {
        c.setAutoCommit(true);
      }
      applied.add(m.version());
      LOG.info("applied {} to {} in {} ms", m.fileName(), names.jobs(), (System.nanoTime() - start) / 1_000_000);
    }
    return applied;
  }

  private static void advisoryLock(Connection c, SchemaNames names, String function) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
      ps.setInt(1, LOCK_CLASS);
      ps.setString(2, names.lockName());
      ps.execute();
    }
  }

  private static void createSchemaIfMissing(Connection c, String schema) throws SQLException {
    // Checked first: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a
    // role using an existing schema may well lack.
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    }
  }

  /** The highest version applied to {@code names}' schema, 0 when none. */
  public static int currentVersion(Connection c, SchemaNames names) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, names.versionTable());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return 0;
        }
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + names.versionTable())) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Checks, without changing anything, that the schema is at least at {@link #latestVersion()}
   * (for {@code autoMigrate(false)}: the host applies the files with its own tool).
   *
   * @throws JobConfigurationException it is not, naming the files to apply
   */
  public static void verify(DataSource dataSource, SchemaNames names) {
    int current;
    try (Connection c = dataSource.getConnection()) {
      current = currentVersion(c, names);
    } catch (SQLException e) {
      throw new JobStoreException(
          "PostgreSQL job store: reading the schema version of " + names.schema() + " failed: " + e.getMessage(),
          e.getSQLState(), e);
    }
    if (current < latestVersion()) {
      List<String> missing = new ArrayList<>();
      for (Migration m : ALL) {
        if (m.version() > current) {
          missing.add(m.fileName());
        }
      }
      throw new JobConfigurationException(
          "autoMigrate is false but schema '" + names.schema() + "' (table prefix '" + names.prefix() + "') is at version "
              + current + " and this store needs version " + latestVersion() + ": apply " + missing
              + " from classpath:" + LOCATION + " with your migration tool, or enable autoMigrate");
    }
  }
}
