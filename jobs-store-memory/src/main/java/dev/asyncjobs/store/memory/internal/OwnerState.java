package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.spi.QuotaWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Everything the store keeps per owner: the quota ledger and idempotency keys (guarded by {@link
 * #lock}, so that the quota check and the insert are one atomic step per owner), and the listing
 * index (a concurrent set read without the lock).
 */
public final class OwnerState {
  private static final Duration DAY = Duration.ofDays(1);
  private static final Duration HOUR = Duration.ofHours(1);

  public final ReentrantLock lock = new ReentrantLock();
  public final ConcurrentSkipListSet<Keys.Timed> byCreatedAt = new ConcurrentSkipListSet<>(Keys.TIMED_ORDER);
  /** Creation times of the last day, oldest first; guarded by lock. */
  private final ArrayDeque<Instant> creates = new ArrayDeque<>();
  private @Nullable Instant lastCreatedAt;
  /** Idempotency key → job id; guarded by lock. */
  public final Map<String, UUID> idempotencyKeys = new HashMap<>();
  /** What each budgeted job counts, by creation; guarded by lock. Kept past the job's deletion. */
  private final java.util.TreeMap<Keys.Timed, BudgetAmount> budgetLedger = new java.util.TreeMap<>(Keys.TIMED_ORDER);
  private final Map<UUID, Keys.Timed> budgetKeys = new HashMap<>();
  /** Longer than any budget window (a month), so that no window loses what it counts. */
  private static final Duration BUDGET_KEPT = Duration.ofDays(62);

  /**
   * Settlements made where the lock may not be taken (under a job's monitor, which the lock must
   * never wait behind), applied before the next read or write of the budget records.
   */
  private final java.util.concurrent.ConcurrentLinkedQueue<Map.Entry<UUID, BudgetAmount>> lateSettlements =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * Settles a budgeted job without the lock: applied before the next budget read or write.
   *
   * @param jobId the job
   * @param actual what it counts from now on
   */
  public void settleLater(UUID jobId, BudgetAmount actual) {
    lateSettlements.add(Map.entry(jobId, actual));
  }

  private void applyLateSettlements() {
    for (Map.Entry<UUID, BudgetAmount> e; (e = lateSettlements.poll()) != null; ) {
      Keys.Timed key = budgetKeys.get(e.getKey());
      if (key != null) {
        budgetLedger.put(key, e.getValue());
      }
    }
  }

  /** {@return what the budgeted jobs created at or after {@code since} count}; caller holds the lock. */
  public BudgetAmount budgetCounted(Instant since) {
    applyLateSettlements();
    BudgetAmount sum = BudgetAmount.ZERO;
    for (BudgetAmount a : budgetLedger.tailMap(new Keys.Timed(since, new UUID(0L, 0L)), true).values()) {
      sum = sum.plus(a);
    }
    return sum;
  }

  /**
   * Records what a new job reserves, and forgets records older than any window; caller holds the
   * lock. {@return the ids of the jobs whose records were forgotten}
   */
  public java.util.List<UUID> reserve(Instant createdAt, UUID jobId, BudgetAmount amount) {
    applyLateSettlements();
    Keys.Timed key = new Keys.Timed(createdAt, jobId);
    budgetLedger.put(key, amount);
    budgetKeys.put(jobId, key);
    java.util.List<UUID> forgotten = new java.util.ArrayList<>();
    for (var it = budgetLedger.headMap(new Keys.Timed(createdAt.minus(BUDGET_KEPT), new UUID(0L, 0L))).entrySet().iterator(); it.hasNext(); ) {
      UUID old = it.next().getKey().id();
      budgetKeys.remove(old);
      forgotten.add(old);
      it.remove();
    }
    return forgotten;
  }

  /** Replaces what a budgeted job counts; nothing for another job. Caller holds the lock. */
  public void settle(UUID jobId, BudgetAmount actual) {
    applyLateSettlements();
    Keys.Timed key = budgetKeys.get(jobId);
    if (key != null) {
      budgetLedger.put(key, actual);
    }
  }

  /** The quota window ending at {@code now}; caller holds the lock. */
  public QuotaWindow window(Instant now) {
    prune(now);
    Instant hourAgo = now.minus(HOUR);
    int lastHour = 0;
    Instant oldestInHour = null;
    for (Iterator<Instant> it = creates.descendingIterator(); it.hasNext(); ) {
      Instant t = it.next();
      if (!t.isAfter(hourAgo)) {
        break;
      }
      lastHour++;
      oldestInHour = t;
    }
    return new QuotaWindow(lastHour, creates.size(), oldestInHour, creates.peekFirst(), lastCreatedAt);
  }

  /** Records {@code count} creates at {@code now}; caller holds the lock. */
  public void record(Instant now, int count) {
    for (int i = 0; i < count; i++) {
      creates.addLast(now);
    }
    if (count > 0) {
      lastCreatedAt = now;
    }
  }

  /** Forgets past creates; caller holds the lock. */
  public void reset() {
    creates.clear();
    lastCreatedAt = null;
  }

  /** Drops creates older than a day; caller holds the lock. */
  public void prune(Instant now) {
    Instant dayAgo = now.minus(DAY);
    while (!creates.isEmpty() && !creates.peekFirst().isAfter(dayAgo)) {
      creates.pollFirst();
    }
  }
}
