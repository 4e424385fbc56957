package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.Page;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.PageCursor;
import dev.asyncjobs.spi.UsageTotal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * The store's reads: a job by id, keyset-paged listings, per-type statistics computed in SQL
 * ({@code percentile_cont}), and recent durations. Listings are built from the filters present, so
 * that each shape is its own prepared statement with a plan that fits it.
 */
public final class Reads {
  private final SchemaNames names;
  private final String findSql;
  private final String findAllSql;
  private final String byKeySql;
  private final String cachedSql;
  private final String cachedOfOwnerSql;
  private final String runningSql;
  private final String runningOfOwnerSql;
  private final String recentDurationsSql;
  private final String queueStatsSql;

  /** The statements on {@code names}' jobs table. */
  public Reads(SchemaNames names) {
    this.names = names;
    this.findSql = JobRows.withColumns(names.sql("SELECT {cols} FROM {jobs} AS j WHERE j.id = :id"));
    this.findAllSql = JobRows.withColumns(names.sql("SELECT {cols} FROM {jobs} AS j WHERE j.id = ANY(CAST(:ids AS uuid[]))"));
    this.byKeySql = JobRows.withColumns(names.sql(
        "SELECT {cols} FROM {jobs} AS j WHERE j.owner_id = :owner AND j.idempotency_key = :key"));
    // The predicate of jobs_cache_idx (V13), so that the index serves it; the key = :key implies
    // its cache_key IS NOT NULL. Walks one key's completions newest first.
    String cached = "SELECT {cols} FROM {jobs} AS j WHERE j.cache_key = :key AND j.status = 'COMPLETED'"
        + " AND j.cached_from IS NULL AND j.finished_at >= :since";
    String newest = " ORDER BY j.finished_at DESC LIMIT 1";
    this.cachedSql = JobRows.withColumns(names.sql(cached + newest));
    this.cachedOfOwnerSql = JobRows.withColumns(names.sql(cached + " AND j.owner_id = :owner" + newest));
    // The predicate of jobs_cache_running_idx (V15): one key's unfinished originals, oldest first.
    String running = "SELECT {cols} FROM {jobs} AS j WHERE j.cache_key = :key AND j.status IN ('PENDING', 'PROCESSING')"
        + " AND j.cached_from IS NULL AND (j.status = 'PROCESSING' OR j.run_at <= :dueBy)";
    String oldest = " ORDER BY j.id LIMIT 1";
    this.runningSql = JobRows.withColumns(names.sql(running + oldest));
    this.runningOfOwnerSql = JobRows.withColumns(names.sql(running + " AND j.owner_id = :owner" + oldest));
    this.recentDurationsSql = names.sql(
        "SELECT (extract(epoch FROM j.actual_duration) * 1000000)::bigint FROM {jobs} AS j"
            + " WHERE j.type = :type AND j.status = 'COMPLETED' AND j.actual_duration IS NOT NULL"
            + " AND j.finished_at IS NOT NULL ORDER BY j.finished_at DESC, j.id DESC LIMIT :limit");
    // Only unfinished rows: the partial indexes of PENDING and PROCESSING jobs find them, however
    // many finished ones the table holds.
    this.queueStatsSql = names.sql(
        "SELECT j.type,"
            + " count(*) FILTER (WHERE j.status = 'PENDING'),"
            + " count(*) FILTER (WHERE j.status = 'PENDING' AND j.run_at <= :now),"
            + " count(*) FILTER (WHERE j.status = 'PROCESSING'),"
            + " min(j.run_at) FILTER (WHERE j.status = 'PENDING' AND j.run_at <= :now)"
            + " FROM {jobs} AS j WHERE j.status IN ('PENDING', 'PROCESSING') GROUP BY j.type ORDER BY j.type");
  }

  /** The owner's job with this idempotency key (the unique index answers it). */
  public Optional<Job> findByIdempotencyKey(Handle h, String ownerId, String key) {
    return h.createQuery(byKeySql).bind("owner", ownerId).bind("key", key).map(JobRows.MAPPER).findOne();
  }

  /** The latest completed job of {@code cacheKey} that ran, at or after {@code since}, of {@code owner} or of anyone. */
  public Optional<Job> findCached(Handle h, String cacheKey, @Nullable String owner, Instant since) {
    Query q = h.createQuery(owner == null ? cachedSql : cachedOfOwnerSql).bind("key", cacheKey).bind("since", Binds.instant(since));
    if (owner != null) {
      q.bind("owner", owner);
    }
    return q.map(JobRows.MAPPER).findOne();
  }

  /** The oldest unfinished original of a cache key, of one owner or of any. */
  public Optional<Job> findRunning(Handle h, String cacheKey, @Nullable String owner, Instant dueBy) {
    Query q = h.createQuery(owner == null ? runningSql : runningOfOwnerSql).bind("key", cacheKey)
        .bind("dueBy", Binds.instant(dueBy));
    if (owner != null) {
      q.bind("owner", owner);
    }
    return q.map(JobRows.MAPPER).findOne();
  }

  /** {@return the statement of {@link #findRunning}, of one owner or of any (for plan tests)} */
  public String findRunningSql(boolean ofOwner) {
    return ofOwner ? runningOfOwnerSql : runningSql;
  }

  /** {@return the statement of {@link #findCached}, of one owner or of any (for plan tests)} */
  public String findCachedSql(boolean ofOwner) {
    return ofOwner ? cachedOfOwnerSql : cachedSql;
  }

  /** The job with this id. */
  public Optional<Job> find(Handle h, UUID id) {
    return h.createQuery(findSql).bind("id", id).map(JobRows.MAPPER).findOne();
  }

  /** The jobs of these ids that exist, in one statement. */
  public java.util.List<Job> findAll(Handle h, java.util.Collection<UUID> ids) {
    return h.createQuery(findAllSql).bind("ids", Binds.array("uuid", java.util.List.copyOf(ids))).map(JobRows.MAPPER).list();
  }

  /** A page of the query. */
  public Page<Job> query(Handle h, JobQuery q) {
    boolean newestFirst = q.sort() == JobQuery.Sort.NEWEST_FIRST;
    PageCursor cursor = q.decodedCursor();
    StringBuilder sql = new StringBuilder("SELECT {cols} FROM {jobs} AS j WHERE true");
    if (q.ownerId() != null) {
      sql.append(" AND j.owner_id = :owner");
    }
    if (!q.statuses().isEmpty()) {
      sql.append(" AND j.status = ANY(CAST(:statuses AS text[]))");
    }
    if (!q.types().isEmpty()) {
      sql.append(" AND j.type = ANY(CAST(:types AS text[]))");
    }
    if (q.createdAfter() != null) {
      sql.append(" AND j.created_at >= :after");
    }
    if (q.createdBefore() != null) {
      sql.append(" AND j.created_at < :before");
    }
    if (q.errorContains() != null) {
      // strpos, not LIKE: the text is matched as it is, % and _ included; translate folds ASCII
      // letters only, whatever the collation, as JobQuery.matches does
      sql.append(" AND strpos(translate(j.error_message, :upper, :lower), translate(:error, :upper, :lower)) > 0");
    }
    if (cursor != null) {
      sql.append(newestFirst ? " AND (j.created_at, j.id) < (:cursorAt, :cursorId)" : " AND (j.created_at, j.id) > (:cursorAt, :cursorId)");
    }
    sql.append(newestFirst ? " ORDER BY j.created_at DESC, j.id DESC" : " ORDER BY j.created_at, j.id");
    sql.append(" LIMIT :limit");

    Query query = h.createQuery(JobRows.withColumns(names.sql(sql.toString()))).bind("limit", q.limit() + 1);
    if (q.ownerId() != null) {
      query.bind("owner", q.ownerId());
    }
    if (!q.statuses().isEmpty()) {
      query.bind("statuses", Binds.array("text", q.statuses().stream().map(Enum::name).sorted().toList()));
    }
    if (!q.types().isEmpty()) {
      query.bind("types", Binds.array("text", q.types()));
    }
    if (q.createdAfter() != null) {
      query.bind("after", Binds.instant(q.createdAfter()));
    }
    if (q.createdBefore() != null) {
      query.bind("before", Binds.instant(q.createdBefore()));
    }
    if (q.errorContains() != null) {
      query.bind("error", q.errorContains()).bind("upper", "ABCDEFGHIJKLMNOPQRSTUVWXYZ").bind("lower", "abcdefghijklmnopqrstuvwxyz");
    }
    if (cursor != null) {
      query.bind("cursorAt", Binds.instant(cursor.createdAt())).bind("cursorId", cursor.id());
    }
    List<Job> rows = query.map(JobRows.MAPPER).list();
    if (rows.size() <= q.limit()) {
      return new Page<>(rows, null);
    }
    List<Job> page = rows.subList(0, q.limit());
    return new Page<>(page, PageCursor.after(page.get(page.size() - 1)).encode());
  }

  /** Per-type counts and durations, sorted by type. */
  public List<JobStats> stats(Handle h, @Nullable String ownerId, @Nullable Instant since) {
    String done = "j.status = 'COMPLETED' AND j.actual_duration IS NOT NULL";
    String ns = "CAST(extract(epoch FROM j.actual_duration) * 1000000000 AS double precision)";
    StringBuilder sql = new StringBuilder("SELECT j.type");
    for (String status : List.of("PENDING", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED")) {
      sql.append(", count(*) FILTER (WHERE j.status = '").append(status).append("')");
    }
    sql.append(", floor(avg(extract(epoch FROM j.actual_duration) * 1000000000) FILTER (WHERE ").append(done).append("))::bigint");
    for (String fraction : List.of("0.5", "0.95", "0.99")) {
      sql.append(", percentile_cont(").append(fraction).append(") WITHIN GROUP (ORDER BY ").append(ns)
          .append(") FILTER (WHERE ").append(done).append(")");
    }
    sql.append(" FROM {jobs} AS j WHERE true");
    if (ownerId != null) {
      sql.append(" AND j.owner_id = :owner");
    }
    if (since != null) {
      sql.append(" AND j.created_at >= :since");
    }
    sql.append(" GROUP BY j.type");
    Query query = h.createQuery(names.sql(sql.toString()));
    if (ownerId != null) {
      query.bind("owner", ownerId);
    }
    if (since != null) {
      query.bind("since", Binds.instant(since));
    }
    List<JobStats> out = new ArrayList<>(query.map((rs, ctx) -> statsRow(rs)).list());
    out.sort(Comparator.comparing(JobStats::type));
    return out;
  }

  /**
   * By type, the jobs created in {@code [from, to)} and their usage added up in SQL ({@code
   * numeric}, exact): one row per type with its count, and one per type, model and unit with its
   * sum. With an owner it walks that owner's (owner_id, created_at) index range.
   */
  public List<UsageTotal> usageByType(Handle h, @Nullable String ownerId, Instant from, Instant to) {
    String window = "j.created_at >= :from AND j.created_at < :to" + (ownerId != null ? " AND j.owner_id = :owner" : "");
    Query query = h.createQuery(names.sql(
        "WITH w AS (SELECT j.type, j.usage FROM {jobs} AS j WHERE " + window + ")"
            + " SELECT w.type, NULL AS model, NULL AS unit, count(*)::numeric AS n FROM w GROUP BY w.type"
            + " UNION ALL"
            + " SELECT w.type, m.key, u.key, sum(u.value::numeric) FROM w, jsonb_each(w.usage) AS m, jsonb_each(m.value) AS u"
            + " GROUP BY w.type, m.key, u.key"))
        .bind("from", Binds.instant(from))
        .bind("to", Binds.instant(to));
    if (ownerId != null) {
      query.bind("owner", ownerId);
    }
    Map<String, long[]> jobs = new TreeMap<>();
    Map<String, Usage> usage = new TreeMap<>();
    query.map((rs, ctx) -> {
      String type = rs.getString(1);
      String model = rs.getString(2);
      java.math.BigDecimal n = rs.getBigDecimal(4);
      if (model == null) {
        jobs.computeIfAbsent(type, t -> new long[1])[0] = n.longValueExact();
      } else {
        usage.merge(type, Usage.of(model).amount(Usage.Unit.ofJsonName(rs.getString(3)), n).build(), Usage::plus);
      }
      return type;
    }).list();
    List<UsageTotal> out = new ArrayList<>();
    jobs.forEach((type, n) -> out.add(new UsageTotal(type, n[0], usage.getOrDefault(type, Usage.NONE))));
    return out;
  }

  private static JobStats statsRow(ResultSet rs) throws SQLException {
    return JobStats.builder()
        .type(rs.getString(1))
        .pending(rs.getLong(2))
        .processing(rs.getLong(3))
        .completed(rs.getLong(4))
        .failed(rs.getLong(5))
        .cancelled(rs.getLong(6))
        .averageDuration(nanos(rs, 7))
        .p50Duration(nanos(rs, 8))
        .p95Duration(nanos(rs, 9))
        .p99Duration(nanos(rs, 10))
        .build();
  }

  private static @Nullable Duration nanos(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : Duration.ofNanos(Math.round(v));
  }

  /** The unfinished jobs of each type at {@code now}. */
  public List<QueueStats> queueStats(Handle h, Instant now) {
    return h.createQuery(queueStatsSql).bind("now", Binds.instant(now))
        .map((rs, ctx) -> QueueStats.builder(rs.getString(1)).pending(rs.getLong(2)).due(rs.getLong(3))
            .running(rs.getLong(4)).oldestDueAt(JobRows.nullableInstant(rs, 5)).build())
        .list();
  }

  /** The latest completed durations of a type, newest first. */
  public List<Duration> recentDurations(Handle h, String type, int limit) {
    return h.createQuery(recentDurationsSql).bind("type", type).bind("limit", limit)
        .map((rs, ctx) -> Duration.ofNanos(Math.multiplyExact(rs.getLong(1), 1000L))).list();
  }
}
