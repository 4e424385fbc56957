package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.BudgetCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The budget ledger (V12): one row per budgeted job, written by the database from the job's
 * reservation columns when the job is inserted (for every role alike), replaced by what the job
 * consumed when it ends, summed over an owner's window. Kept past the job's deletion, for longer
 * than any window, so that deleting finished jobs never gives budget back.
 */
public final class BudgetLedger {
  /** Longer than any budget window (a month), as the in-memory store keeps its ledger. */
  public static final Duration KEPT = Duration.ofDays(62);

  private final String sumsSql;
  private final String settleSql;
  private final String pruneSql;

  /** The statements on {@code names}' budget ledger. */
  public BudgetLedger(SchemaNames names) {
    // One row per (owner, window start) asked, in the order asked; an owner without rows counts 0.
    this.sumsSql = names.sql(
        "SELECT b.i, coalesce(sum(l.cost), 0), coalesce(sum(l.tokens), 0)"
            + " FROM unnest(CAST(:owners AS text[]), CAST(:sinces AS text[])) WITH ORDINALITY AS b(owner_id, since, i)"
            + " LEFT JOIN {budgetLedger} AS l ON l.owner_id = b.owner_id AND l.created_at >= CAST(b.since AS timestamptz)"
            + " GROUP BY b.i ORDER BY b.i");
    this.settleSql = names.sql("UPDATE {budgetLedger} SET cost = CAST(:cost AS numeric), tokens = :tokens WHERE job_id = :id");
    this.pruneSql = names.sql(
        "DELETE FROM {budgetLedger} WHERE job_id IN (SELECT job_id FROM {budgetLedger}"
            + " WHERE created_at < :cutoff ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)");
  }

  /** What {@code owners.get(i)}'s budgeted jobs created at or after {@code sinces.get(i)} count, for each i. */
  private List<BudgetAmount> sums(Handle h, List<String> owners, List<Instant> sinces) {
    List<String> at = new ArrayList<>(sinces.size());
    sinces.forEach(s -> at.add(Binds.micros(s).toString()));
    return h.createQuery(sumsSql)
        .bind("owners", Binds.array("text", owners))
        .bind("sinces", Binds.array("text", at))
        .map((rs, ctx) -> new BudgetAmount(rs.getBigDecimal(2), rs.getBigDecimal(3).longValueExact()))
        .list();
  }

  /** {@return what {@code owner}'s budgeted jobs created at or after {@code since} count} */
  public BudgetAmount counted(Handle h, String owner, Instant since) {
    return sums(h, List.of(owner), List.of(since)).get(0);
  }

  /**
   * Refuses the owners' new jobs as the in-memory store does: a bound refuses when what its window
   * counts has reached its value, or would pass it with the owner's {@code requested} reservations.
   * Bounds are checked owner by owner, each owner's in list order; all windows are summed in one
   * statement. The caller holds the owners' locks.
   *
   * @param check the bounds by owner
   * @param owners the owners of the batch, in order
   * @param requested what each owner's fresh new jobs reserve (absent: nothing)
   * @throws BudgetExceededException the first bound that refuses
   */
  public void check(Handle h, BudgetCheck check, Iterable<String> owners, Map<String, BudgetAmount> requested) {
    List<String> askOwners = new ArrayList<>();
    List<Instant> askSinces = new ArrayList<>();
    List<BudgetBound> bounds = new ArrayList<>();
    for (String owner : owners) {
      for (BudgetBound b : check.boundsFor(owner)) {
        askOwners.add(owner);
        askSinces.add(b.windowStart());
        bounds.add(b);
      }
    }
    if (bounds.isEmpty()) {
      return;
    }
    List<BudgetAmount> counted = sums(h, askOwners, askSinces);
    for (int i = 0; i < bounds.size(); i++) {
      String owner = askOwners.get(i);
      bounds.get(i).check(owner, counted.get(i), requested.getOrDefault(owner, BudgetAmount.ZERO));
    }
  }

  /** Replaces what job {@code id} counts; nothing when it has no row. */
  public void settle(Handle h, UUID id, BudgetAmount actual) {
    h.createUpdate(settleSql).bind("id", id).bind("cost", actual.cost().toPlainString()).bind("tokens", actual.tokens())
        .execute();
  }

  /** Deletes up to {@code limit} rows of jobs created more than {@link #KEPT} before {@code now}; never younger ones. */
  public int prune(Handle h, Instant now, int limit) {
    return h.createUpdate(pruneSql).bind("cutoff", Binds.instant(now.minus(KEPT))).bind("limit", limit).execute();
  }
}
