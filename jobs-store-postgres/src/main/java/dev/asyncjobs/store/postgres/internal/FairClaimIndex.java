package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional index fair claims read ({@code jobs_pending_owner_idx}, PENDING jobs by owner; see
 * {@code V14__optional_owner_index.sql}), built for a store whose workers claim fairly. It is built
 * with {@code CREATE INDEX CONCURRENTLY}, so writes go on meanwhile, and therefore outside any
 * transaction and outside the migration lock (a concurrent build waits for every transaction older
 * than itself, a session blocked on that lock among them). The database uses it only once it is
 * valid; until then fair claims take the plain scan.
 */
public final class FairClaimIndex {
  private static final Logger LOG = LoggerFactory.getLogger(FairClaimIndex.class);

  /** First key of the build lock ("ASJI"); the second is the hash of the jobs table's name. */
  private static final int LOCK_CLASS = 0x41534a49;

  private FairClaimIndex() {}

  /** What the catalog says of the index. */
  enum State {
    MISSING,
    /** A concurrent build under way, or one that failed and left the entry behind. */
    INVALID,
    VALID
  }

  /** The index's name, qualified. */
  static String name(SchemaNames names) {
    return names.schema() + "." + names.prefix() + "jobs_pending_owner_idx";
  }

  /** The statement that builds the index, for hosts that migrate with their own tool. */
  public static String createSql(SchemaNames names) {
    return "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + names.prefix() + "jobs_pending_owner_idx ON " + names.jobs()
        + " (owner_id, priority DESC, run_at, id) WHERE status = 'PENDING'";
  }

  /**
   * Builds the index unless it is there and valid, or another process is building it now (then
   * this one leaves it to that one). A failed build's leftover entry is dropped and built again.
   * Waits for the build, which waits for every transaction older than itself to end. A build that
   * fails is logged, not thrown: fair claims work without the index, more slowly.
   *
   * @return whether the index is there and valid now
   */
  public static boolean ensure(DataSource dataSource, SchemaNames names) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(true);
      try {
        if (state(c, names) == State.VALID) {
          return true;
        }
        if (!lock(c, names, "pg_try_advisory_lock")) {
          LOG.info("{} is being built by another process; fair claims read it once it is valid", name(names));
          return false;
        }
        try {
          return build(c, names);
        } finally {
          lock(c, names, "pg_advisory_unlock");
        }
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      LOG.warn("building {} for fair claims failed: {}; fair claims work without it, each ranking every due job,"
          + " until it is built: {}", name(names), e.getMessage(), createSql(names));
      return false;
    }
  }

  /**
   * Checks, without changing anything, that the index is there and valid (for
   * {@code autoMigrate(false)}).
   *
   * @throws JobConfigurationException it is not, naming the statement that builds it
   */
  public static void verify(DataSource dataSource, SchemaNames names) {
    State state;
    try (Connection c = dataSource.getConnection()) {
      state = state(c, names);
    } catch (SQLException e) {
      throw new JobStoreException(
          "PostgreSQL job store: reading the indexes of " + names.jobs() + " failed: " + e.getMessage(), e.getSQLState(), e);
    }
    if (state != State.VALID) {
      throw new JobConfigurationException("fairClaimIndex is true and autoMigrate false, but " + name(names) + " is "
          + (state == State.MISSING ? "missing" : "not valid (a concurrent build under way or failed: drop it and build it again)")
          + ": build it as the tables' owner with " + createSql(names) + ", or enable autoMigrate");
    }
  }

  private static boolean build(Connection c, SchemaNames names) throws SQLException {
    long start = System.nanoTime();
    try (Statement s = c.createStatement()) {
      // A host's statement_timeout is meant for its queries, not for an index build that may take
      // minutes on a large table (cancelled, it would leave an invalid entry behind at every start).
      s.execute("SET statement_timeout = 0");
      try {
        if (state(c, names) == State.INVALID) {
          // No store is building (we hold the lock), so this is a failed build's leftover.
          s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + name(names));
        }
        s.execute(createSql(names));
      } finally {
        s.execute("RESET statement_timeout");
      }
    }
    boolean valid = state(c, names) == State.VALID;
    if (valid) {
      LOG.info("built {} for fair claims in {} ms", name(names), (System.nanoTime() - start) / 1_000_000);
    }
    return valid;
  }

  /** {@return whether the index is there and valid, so that fair claims read it} */
  public static boolean isValid(Handle h, SchemaNames names) {
    return h.createQuery("SELECT coalesce((SELECT i.indisvalid AND i.indisready FROM pg_catalog.pg_index AS i"
        + " WHERE i.indexrelid = to_regclass(:name)), false)").bind("name", name(names)).mapTo(Boolean.class).one();
  }

  static State state(Connection c, SchemaNames names) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT i.indisvalid AND i.indisready FROM pg_catalog.pg_index AS i WHERE i.indexrelid = to_regclass(?)")) {
      ps.setString(1, name(names));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return State.MISSING;
        }
        return rs.getBoolean(1) ? State.VALID : State.INVALID;
      }
    }
  }

  private static boolean lock(Connection c, SchemaNames names, String function) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
      ps.setInt(1, LOCK_CLASS);
      ps.setString(2, names.lockName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
