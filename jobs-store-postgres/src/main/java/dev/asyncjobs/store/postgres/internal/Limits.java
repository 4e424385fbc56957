package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.spi.Lease;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The statements on the limits table and the limit ledger (V9) other than the claim's: defining and
 * removing bounds, pausing, backing off, settling an attempt's units, the state of every name, and
 * the retention of both tables. Each change is one statement. A row that is left with no bounds, no
 * pause and no back-off running is deleted by the statement that leaves it so (or by retention, for
 * a back-off that ran out), so that the claim's look for limits finds nothing when there are none.
 */
public final class Limits {
  private static final String HAS_BOUNDS = "(l.max_running IS NOT NULL OR l.max_starts IS NOT NULL OR l.max_units IS NOT NULL)";

  private final String defineSql;
  private final String removeSql;
  private final String pauseSql;
  private final String resumeSql;
  private final String backOffSql;
  private final String settleSql;
  private final String statusSql;
  private final String retentionSql;

  /** The statements on {@code names}' tables. */
  public Limits(SchemaNames names) {
    defineSql = names.sql(
        "INSERT INTO {limits} AS l (name, max_running, max_starts, starts_interval, max_units, units_interval, updated_at)"
            + " VALUES (:name, :maxRunning, :maxStarts, CAST(:startsUs AS bigint) * interval '1 microsecond',"
            + " :maxUnits, CAST(:unitsUs AS bigint) * interval '1 microsecond', :now)"
            // The sums the claims keep are of the old intervals: forgotten, the next claim adds up its windows.
            + " ON CONFLICT (name) DO UPDATE SET max_running = EXCLUDED.max_running, max_starts = EXCLUDED.max_starts,"
            + " starts_interval = EXCLUDED.starts_interval, max_units = EXCLUDED.max_units,"
            + " units_interval = EXCLUDED.units_interval, updated_at = EXCLUDED.updated_at,"
            + " running_seen = NULL, running_at = NULL, starts_from = NULL, starts_count = NULL, units_from = NULL, units_sum = NULL");
    // Deleted when nothing else is left, else only the bounds cleared; the two conditions exclude
    // each other, so the two parts never touch one row twice.
    String paused = "(l.paused OR coalesce(l.backoff_until > :now, false))";
    removeSql = names.sql(
        "WITH gone AS (DELETE FROM {limits} AS l WHERE l.name = :name AND " + HAS_BOUNDS + " AND NOT " + paused
            + " RETURNING 1),"
            + " cleared AS (UPDATE {limits} AS l SET max_running = NULL, max_starts = NULL, starts_interval = NULL,"
            + " max_units = NULL, units_interval = NULL, updated_at = :now,"
            + " running_seen = NULL, running_at = NULL, starts_from = NULL, starts_count = NULL, units_from = NULL, units_sum = NULL"
            + " WHERE l.name = :name AND " + HAS_BOUNDS + " AND " + paused + " RETURNING 1)"
            + " SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM cleared)");
    pauseSql = names.sql(
        "INSERT INTO {limits} AS l (name, paused, updated_at) VALUES (:name, true, :now)"
            + " ON CONFLICT (name) DO UPDATE SET paused = true, updated_at = EXCLUDED.updated_at");
    // Resuming ends a back-off too.
    resumeSql = names.sql(
        "WITH gone AS (DELETE FROM {limits} AS l WHERE l.name = :name AND NOT " + HAS_BOUNDS + " RETURNING 1)"
            + " UPDATE {limits} AS l SET paused = false, backoff_until = NULL, updated_at = :now"
            + " WHERE l.name = :name AND " + HAS_BOUNDS);
    // A back-off never shortens one that runs longer.
    backOffSql = names.sql(
        "INSERT INTO {limits} AS l (name, backoff_until, updated_at) VALUES (:name, :until, :now)"
            + " ON CONFLICT (name) DO UPDATE SET backoff_until = greatest(l.backoff_until, EXCLUDED.backoff_until),"
            + " updated_at = EXCLUDED.updated_at");
    // The ledger row of the job's latest start by this worker (jobs_limit_settle, V9).
    settleSql = "SELECT " + names.function("jobs_limit_settle")
        + "(CAST(:id AS uuid), CAST(:attempt AS integer), CAST(:worker AS text), CAST(:units AS bigint))";
    // The windows added up whole from the ledger, not from the sums the claims keep, so that this
    // reads what the rows say.
    String sum = names.function("jobs_limit_sum");
    statusSql = names.sql(
        "WITH l AS (SELECT * FROM {limits} AS l WHERE " + HAS_BOUNDS + " OR l.paused OR l.backoff_until > :now),"
            + " r AS (SELECT * FROM " + names.function("jobs_limit_running") + "(ARRAY(SELECT name FROM l))),"
            + " w AS (SELECT x.name, count(*) AS waiting FROM {jobs} AS j,"
            + " unnest(array_prepend(j.type, array_remove(j.resources, j.type))) AS x(name)"
            + " WHERE j.status = 'PENDING' AND x.name IN (SELECT name FROM l) GROUP BY x.name)"
            + " SELECT l.name, l.max_running, l.max_starts, (extract(epoch FROM l.starts_interval) * 1000000)::bigint,"
            + " l.max_units, (extract(epoch FROM l.units_interval) * 1000000)::bigint, l.paused,"
            + " CASE WHEN l.backoff_until > :now THEN l.backoff_until END,"
            + " coalesce(r.running, 0),"
            + " CASE WHEN l.max_starts IS NOT NULL THEN " + sum + "(l.name, 'starts', CAST(:now AS timestamptz) - l.starts_interval,"
            + " NULL, NULL) ELSE 0 END,"
            + " CASE WHEN l.max_units IS NOT NULL THEN " + sum + "(l.name, 'units', CAST(:now AS timestamptz) - l.units_interval,"
            + " NULL, NULL) ELSE 0 END,"
            + " coalesce(w.waiting, 0)"
            + " FROM l LEFT JOIN r ON r.name = l.name LEFT JOIN w ON w.name = l.name");
    retentionSql = "SELECT " + names.function("jobs_limit_retention") + "(CAST(:now AS timestamptz), CAST(:limit AS integer))";
  }

  /** Defines or replaces the bounds of {@code limit.name()}, keeping its pause and back-off. */
  public void define(Handle h, JobLimit limit, Instant now) {
    h.createUpdate(defineSql)
        .bind("name", limit.name())
        .bind("maxRunning", limit.maxRunning().isPresent() ? limit.maxRunning().getAsInt() : null)
        .bind("maxStarts", limit.maxStarts().isPresent() ? limit.maxStarts().getAsInt() : null)
        .bind("startsUs", Binds.micros(limit.startsInterval().orElse(null)))
        .bind("maxUnits", limit.maxUnits().isPresent() ? limit.maxUnits().getAsLong() : null)
        .bind("unitsUs", Binds.micros(limit.unitsInterval().orElse(null)))
        .bind("now", Binds.instant(now))
        .execute();
  }

  /** Removes the bounds of {@code name}; whether it had any. */
  public boolean remove(Handle h, String name, Instant now) {
    return h.createQuery(removeSql).bind("name", name).bind("now", Binds.instant(now)).mapTo(Long.class).one() > 0;
  }

  /** Pauses {@code name}, or resumes it and ends its back-off. */
  public void setPaused(Handle h, String name, boolean paused, Instant now) {
    h.createUpdate(paused ? pauseSql : resumeSql).bind("name", name).bind("now", Binds.instant(now)).execute();
  }

  /** No claim under {@code name} before {@code until} (never earlier than a back-off already running). */
  public void backOff(Handle h, String name, Instant until, Instant now) {
    h.createUpdate(backOffSql).bind("name", name).bind("until", Binds.instant(until)).bind("now", Binds.instant(now))
        .execute();
  }

  /** Replaces the units the attempt of {@code lease} reserved with {@code units}. */
  public void settle(Handle h, Lease lease, long units) {
    h.createQuery(settleSql)
        .bind("units", units)
        .bind("id", lease.jobId())
        .bind("attempt", lease.attempt())
        .bind("worker", lease.workerId())
        .mapTo(String.class)
        .one();
  }

  /**
   * Every name that has bounds, is paused or is backing off at {@code now}, in name order. Runs in
   * a transaction: sequential scans are switched off for it, so that the waiting count reads the
   * pending index whatever the statistics say (as the claim does), not a table of finished jobs.
   */
  public List<LimitStatus> status(Handle h, Instant now) {
    h.execute("SET LOCAL enable_seqscan = off");
    h.execute("SET LOCAL jit = off");
    List<LimitStatus> out = new ArrayList<>(
        h.createQuery(statusSql).bind("now", Binds.instant(now)).map((rs, ctx) -> status(rs)).list());
    out.sort(Comparator.comparing(LimitStatus::name));
    return out;
  }

  private static LimitStatus status(ResultSet rs) throws SQLException {
    String name = rs.getString(1);
    return LimitStatus.builder(name)
        .limit(limit(rs, name))
        .paused(rs.getBoolean(7))
        .backoffUntil(JobRows.nullableInstant(rs, 8))
        .running(rs.getInt(9))
        .startsInWindow(rs.getInt(10))
        .unitsInWindow(rs.getLong(11))
        .waiting(rs.getLong(12))
        .build();
  }

  /** The bounds in columns 2-6, or null when the row has none. */
  private static @Nullable JobLimit limit(ResultSet rs, String name) throws SQLException {
    Integer maxRunning = (Integer) rs.getObject(2);
    Integer maxStarts = (Integer) rs.getObject(3);
    Long maxUnits = (Long) rs.getObject(5);
    if (maxRunning == null && maxStarts == null && maxUnits == null) {
      return null;
    }
    JobLimit.Builder b = JobLimit.builder(name);
    if (maxRunning != null) {
      b.maxRunning(maxRunning);
    }
    if (maxStarts != null) {
      b.maxStarts(maxStarts, Duration.ofNanos(rs.getLong(4) * 1000));
    }
    if (maxUnits != null) {
      b.maxUnits(maxUnits, Duration.ofNanos(rs.getLong(6) * 1000));
    }
    return b.build();
  }

  /**
   * Deletes up to {@code limit} ledger rows that no window reaches any more, and limit rows left
   * with nothing (a back-off that ran out); never waits for a claim ({@code jobs_limit_retention}).
   *
   * @return how many ledger rows it deleted
   */
  public int prune(Handle h, Instant now, int limit) {
    return h.createQuery(retentionSql).bind("now", Binds.instant(now)).bind("limit", limit).mapTo(Integer.class).one();
  }
}
