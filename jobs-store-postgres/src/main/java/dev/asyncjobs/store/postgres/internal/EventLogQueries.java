package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The statements on the event log (V4__event_log.sql): the settling look ({@code
 * jobs_events_horizon}), fences, reads of settled events, and pruning.
 */
public final class EventLogQueries {
  private static final String EVENT_COLUMNS =
      "e.seq, e.kind, e.job_id, e.owner_id, e.type, e.status, e.progress, e.message, e.attempt, e.run_at, e.at, e.data";

  private final String horizonSql;
  private final String fenceSql;
  /** The reads, by whether they name an owner, whether they name kinds and whether they name a job. */
  private final String[][][] readSql = new String[2][2][2];
  private final String pruneSql;

  /**
   * What one look at the log saw.
   *
   * @param seqs the numbers above the position asked about, ascending
   * @param snapshotXmin the look's snapshot xmin
   * @param head the newest number handed out (0 before the first)
   * @param prunedThrough how far the log is pruned
   * @param insertLsn where the WAL was being inserted, read after the look's snapshot
   * @param flushLsn how far the WAL was flushed
   */
  public record Horizon(long[] seqs, long snapshotXmin, long head, long prunedThrough, long insertLsn, long flushLsn) {}

  /**
   * Events read, and how far the log was pruned in the same snapshot.
   *
   * @param events the events, ascending
   * @param prunedThrough every event up to this may be gone
   */
  public record EventPage(List<JobEvent> events, long prunedThrough) {}

  /** The statements on {@code names}' log. */
  public EventLogQueries(SchemaNames names) {
    horizonSql = "SELECT seqs, snapshot_xmin, head, pruned_through, insert_lsn, flush_lsn FROM " + names.function("jobs_events_horizon")
        + "(:after, :limit)";
    fenceSql = "SELECT " + names.function("jobs_events_fence") + "()";
    String read =
        "SELECT p.through, " + EVENT_COLUMNS + " FROM {pruned} AS p LEFT JOIN LATERAL"
            + " (SELECT " + EVENT_COLUMNS + " FROM {events} AS e WHERE e.seq > :after AND e.seq <= :upTo%s%s%s"
            + " ORDER BY e.seq LIMIT :limit) AS e ON true ORDER BY e.seq";
    for (int owner = 0; owner < 2; owner++) {
      for (int kinds = 0; kinds < 2; kinds++) {
        for (int job = 0; job < 2; job++) {
          readSql[owner][kinds][job] = names.sql(String.format(read,
              owner == 1 ? " AND e.owner_id = :owner" : "", kinds == 1 ? " AND e.kind = ANY(CAST(:kinds AS text[]))" : "",
              job == 1 ? " AND e.job_id = :job" : ""));
        }
      }
    }
    pruneSql = "SELECT " + names.function("prune_job_events") + "(interval '0', :limit, :cutoff)";
  }

  /** Looks at up to {@code limit} numbers after {@code after}, with what settling needs. */
  public Horizon horizon(Handle h, long after, int limit) {
    return h.createQuery(horizonSql).bind("after", after).bind("limit", limit)
        .map((rs, ctx) -> new Horizon(longs(rs.getArray(1)), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)))
        .one();
  }

  /** A transaction id handed out now, in a transaction that ends with this call. */
  public long fence(Handle h) {
    return h.createQuery(fenceSql).mapTo(Long.class).one();
  }

  /**
   * Up to {@code limit} events numbered above {@code after} and at most {@code upTo}, of one owner
   * or of every owner ({@code null}), of the given kinds (every kind when empty), of one job or of
   * every job ({@code null}).
   */
  public EventPage read(
      Handle h, @Nullable String ownerId, Set<JobEvent.Kind> kinds, @Nullable UUID jobId, long after, long upTo, int limit) {
    var q = h.createQuery(readSql[ownerId == null ? 0 : 1][kinds.isEmpty() ? 0 : 1][jobId == null ? 0 : 1])
        .bind("after", after).bind("upTo", upTo).bind("limit", limit);
    if (ownerId != null) {
      q.bind("owner", ownerId);
    }
    if (jobId != null) {
      q.bind("job", jobId);
    }
    if (!kinds.isEmpty()) {
      q.bind("kinds", Binds.array("text", kinds.stream().map(Enum::name).toList()));
    }
    long[] pruned = {0};
    List<JobEvent> events = new ArrayList<>();
    q.map((rs, ctx) -> {
      pruned[0] = rs.getLong(1);
      rs.getLong(2);
      if (!rs.wasNull()) {
        events.add(event(rs));
      }
      return Boolean.TRUE;
    }).list();
    return new EventPage(events, pruned[0]);
  }

  /** Deletes up to {@code limit} of the oldest events before {@code cutoff}; 0 while another pruner runs. */
  public int prune(Handle h, Instant cutoff, int limit) {
    return h.createQuery(pruneSql).bind("limit", limit).bind("cutoff", Binds.instant(cutoff)).mapTo(Integer.class).one();
  }

  private static JobEvent event(ResultSet rs) throws SQLException {
    Instant at = JobRows.nullableInstant(rs, 12);
    if (at == null) {
      throw new SQLException("an event row has no time");
    }
    return JobEvent.builder()
        .sequence(rs.getLong(2))
        .kind(JobEvent.Kind.valueOf(rs.getString(3)))
        .jobId(rs.getObject(4, UUID.class))
        .ownerId(rs.getString(5))
        .type(rs.getString(6))
        .status(JobStatus.valueOf(rs.getString(7)))
        .progress(rs.getInt(8))
        .message(rs.getString(9))
        .attempt(rs.getInt(10))
        .runAt(JobRows.nullableInstant(rs, 11))
        .at(at)
        .data(rs.getString(13))
        .build();
  }

  private static long[] longs(@Nullable Array array) throws SQLException {
    if (array == null) {
      return new long[0];
    }
    Object[] values = (Object[]) array.getArray();
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = ((Number) values[i]).longValue();
    }
    return out;
  }
}
