package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.spi.QuotaWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The quota ledger: one row per create call and owner (one per job for a role under row-level
 * security, whose rows the database writes), counted in sliding windows. Rows older than a day are
 * pruned, except each owner's latest, which the minimum-interval rule still needs.
 */
public final class QuotaLedger {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration DAY = Duration.ofDays(1);

  private final String windowSql;
  private final String resetSql;
  private final String pruneSql;

  /** The statements on {@code names}' ledger table. */
  public QuotaLedger(SchemaNames names) {
    this.windowSql =
        names.sql(
            "SELECT owner_id,"
                + " coalesce(sum(job_count) FILTER (WHERE created_at > :hourAgo), 0),"
                + " coalesce(sum(job_count) FILTER (WHERE created_at > :dayAgo), 0),"
                + " min(created_at) FILTER (WHERE created_at > :hourAgo),"
                + " min(created_at) FILTER (WHERE created_at > :dayAgo),"
                + " max(created_at)"
                + " FROM {ledger} WHERE owner_id = ANY(:owners) GROUP BY owner_id");
    this.resetSql = names.sql("DELETE FROM {ledger} WHERE owner_id = :owner");
    this.pruneSql =
        names.sql(
            "DELETE FROM {ledger} WHERE id IN (SELECT l.id FROM {ledger} AS l"
                + " WHERE l.created_at <= :dayAgo AND EXISTS (SELECT 1 FROM {ledger} AS n"
                + " WHERE n.owner_id = l.owner_id AND (n.created_at, n.id) > (l.created_at, l.id)) LIMIT :limit)");
  }

  /** The windows ending at {@code now} of each owner; owners without records are absent. */
  public Map<String, QuotaWindow> windows(Handle h, Collection<String> owners, Instant now) {
    Map<String, QuotaWindow> out = new HashMap<>();
    h.createQuery(windowSql)
        .bind("hourAgo", Binds.instant(now.minus(HOUR)))
        .bind("dayAgo", Binds.instant(now.minus(DAY)))
        .bind("owners", Binds.array("text", owners))
        .map((rs, ctx) -> Map.entry(rs.getString(1), new QuotaWindow(
            rs.getInt(2), rs.getInt(3), JobRows.nullableInstant(rs, 4), JobRows.nullableInstant(rs, 5),
            JobRows.nullableInstant(rs, 6))))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** One owner's window ending at {@code now}. */
  public QuotaWindow window(Handle h, String owner, Instant now) {
    return windows(h, List.of(owner), now).getOrDefault(owner, QuotaWindow.EMPTY);
  }

  /** Forgets the owner's records. */
  public void reset(Handle h, String owner) {
    h.createUpdate(resetSql).bind("owner", owner).execute();
  }

  /** Deletes up to {@code limit} records older than a day that are not an owner's latest. */
  public int prune(Handle h, Instant now, int limit) {
    return h.createUpdate(pruneSql).bind("dayAgo", Binds.instant(now.minus(DAY))).bind("limit", limit).execute();
  }
}
