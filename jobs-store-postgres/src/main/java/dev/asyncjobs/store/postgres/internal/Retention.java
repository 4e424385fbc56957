package dev.asyncjobs.store.postgres.internal;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Deletes finished jobs past their retention in bounded batches, oldest first, skipping rows that
 * another transaction holds, so that cleanup never takes a long lock on a big table; and on the
 * way the quota and limit records that no window counts any more.
 */
public final class Retention {
  private final String deleteSql;
  private final QuotaLedger ledger;
  private final Limits limits;

  /** Cleanup of {@code names}' jobs table; prunes {@code ledger} and the limit ledger on the way. */
  public Retention(SchemaNames names, QuotaLedger ledger, Limits limits) {
    this.ledger = ledger;
    this.limits = limits;
    this.deleteSql = names.sql(
        "DELETE FROM {jobs} WHERE id IN (SELECT id FROM {jobs}"
            + " WHERE finished_at < :cutoff AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')"
            + " ORDER BY finished_at LIMIT :limit FOR UPDATE SKIP LOCKED)");
  }

  /** Deletes up to {@code limit} jobs finished before {@code cutoff}, and prunes old quota and limit records. */
  public int deleteFinishedBefore(Handle h, Instant cutoff, int limit, Instant now) {
    int deleted = h.createUpdate(deleteSql).bind("cutoff", Binds.instant(cutoff)).bind("limit", limit).execute();
    ledger.prune(h, now, limit);
    limits.prune(h, now, limit);
    return deleted;
  }
}
