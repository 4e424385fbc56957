package dev.asyncjobs.store.memory.internal;

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
