package dev.asyncjobs.store.postgres.internal;

import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Deletes finished jobs past their retention in bounded batches, oldest first, skipping rows that
 * another transaction holds, so that cleanup never takes a long lock on a big table; and on the
 * way the quota, limit and budget records that no window counts any more (budget records outlive
 * their jobs: a month's budget still counts a job deleted after a day).
 */
public final class Retention {
  private final String deleteSql;
  private final QuotaLedger ledger;
  private final Limits limits;
  private final BudgetLedger budgets;

  /** Cleanup of {@code names}' jobs table; prunes {@code ledger}, the limit ledger and {@code budgets} on the way. */
  public Retention(SchemaNames names, QuotaLedger ledger, Limits limits, BudgetLedger budgets) {
    this.ledger = ledger;
    this.limits = limits;
    this.budgets = budgets;
    this.deleteSql = names.sql(
        "DELETE FROM {jobs} WHERE id IN (SELECT id FROM {jobs}"
            + " WHERE finished_at < :cutoff AND status IN ('COMPLETED', 'FAILED', 'CANCELLED')"
            + " ORDER BY finished_at LIMIT :limit FOR UPDATE SKIP LOCKED)");
  }

  /** Deletes up to {@code limit} jobs finished before {@code cutoff}, and prunes old quota, limit and budget records. */
  public int deleteFinishedBefore(Handle h, Instant cutoff, int limit, Instant now) {
    int deleted = h.createUpdate(deleteSql).bind("cutoff", Binds.instant(cutoff)).bind("limit", limit).execute();
    ledger.prune(h, now, limit);
    limits.prune(h, now, limit);
    budgets.prune(h, now, limit);
    return deleted;
  }
}
