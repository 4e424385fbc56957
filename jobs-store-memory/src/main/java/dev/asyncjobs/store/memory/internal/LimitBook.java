package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.LimitStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The limits of one in-memory store: each name's bounds, pause and back-off, and the ledger of
 * starts and reserved units that its sliding windows count. Every method holds the book's monitor;
 * a claim under limits holds it for the whole claim ({@link #round}), so that two claims never both
 * take the last slot.
 */
public final class LimitBook {
  private final Map<String, Entry> byName = new TreeMap<>();
  /**
   * Whether {@link #byName} has entries, readable without the monitor: the claims of a store
   * without limits (the common case) check this and never touch the monitor.
   */
  private volatile boolean anyEntry;
  /** The ledger rows of each attempt, so that settling finds them without a scan. */
  private final Map<AttemptKey, List<Reservation>> byAttempt = new HashMap<>();

  /** One name's state. */
  private final class Entry {
    @Nullable JobLimit limit;
    boolean paused;
    @Nullable Instant backoffUntil;
    /** Starts and reservations under this name, oldest first (only while it has such bounds). */
    final ArrayDeque<Reservation> ledger = new ArrayDeque<>();

    boolean isEmpty(Instant now) {
      return limit == null && !paused && (backoffUntil == null || !backoffUntil.isAfter(now));
    }

    boolean blocked(Instant now) {
      return paused || (backoffUntil != null && backoffUntil.isAfter(now));
    }

    /** Drops ledger rows no window of the bounds can see any more. */
    void prune(Instant now) {
      Duration longest = longestWindow();
      Instant horizon = now.minus(longest);
      while (!ledger.isEmpty() && !ledger.peekFirst().startedAt.isAfter(horizon)) {
        unlink(ledger.pollFirst());
      }
    }

    Duration longestWindow() {
      Duration longest = Duration.ZERO;
      if (limit != null) {
        Duration s = limit.startsInterval().orElse(Duration.ZERO);
        Duration u = limit.unitsInterval().orElse(Duration.ZERO);
        longest = s.compareTo(u) > 0 ? s : u;
      }
      return longest;
    }

    int startsIn(Instant now) {
      if (limit == null || limit.startsInterval().isEmpty()) {
        return 0;
      }
      Instant from = now.minus(limit.startsInterval().get());
      int n = 0;
      for (Reservation r : ledger) {
        if (r.startedAt.isAfter(from)) {
          n++;
        }
      }
      return n;
    }

    long unitsIn(Instant now) {
      if (limit == null || limit.unitsInterval().isEmpty()) {
        return 0;
      }
      Instant from = now.minus(limit.unitsInterval().get());
      long n = 0;
      for (Reservation r : ledger) {
        if (r.startedAt.isAfter(from)) {
          n += r.units;
        }
      }
      return n;
    }

    boolean keepsLedger() {
      return limit != null && (limit.maxStarts().isPresent() || limit.maxUnits().isPresent());
    }
  }

  /** One start under one name, and the units it reserved (replaced when its attempt settles). */
  private static final class Reservation {
    final AttemptKey attempt;
    final Instant startedAt;
    long units;

    Reservation(AttemptKey attempt, Instant startedAt, long units) {
      this.attempt = attempt;
      this.startedAt = startedAt;
      this.units = units;
    }
  }

  private record AttemptKey(UUID jobId, int attempt) {}

  /** {@return whether no name has bounds, a pause or a running back-off: claims need no check} */
  public boolean isEmpty(Instant now) {
    if (!anyEntry) {
      return true;
    }
    synchronized (this) {
      byName.values().removeIf(e -> e.isEmpty(now));
      anyEntry = !byName.isEmpty();
      return !anyEntry;
    }
  }

  /** The entry of {@code name}, made when missing; caller holds the monitor. */
  private Entry entry(String name) {
    anyEntry = true;
    return byName.computeIfAbsent(name, n -> new Entry());
  }

  /** Defines or replaces the bounds of {@code limit.name()}; a pause or back-off stays. */
  public synchronized void define(JobLimit limit) {
    Entry e = entry(limit.name());
    e.limit = limit;
    if (!e.keepsLedger()) {
      forget(e);
    }
  }

  private void forget(Entry e) {
    e.ledger.forEach(this::unlink);
    e.ledger.clear();
  }

  /** Drops a ledger row from its attempt's index. */
  private void unlink(Reservation r) {
    List<Reservation> rows = byAttempt.get(r.attempt);
    if (rows != null && rows.remove(r) && rows.isEmpty()) {
      byAttempt.remove(r.attempt);
    }
  }

  /** Removes the bounds of {@code name}; {@return whether it had bounds} */
  public synchronized boolean remove(String name) {
    Entry e = byName.get(name);
    if (e == null || e.limit == null) {
      return false;
    }
    e.limit = null;
    forget(e);
    return true;
  }

  /** Pauses, or resumes and ends the back-off of, {@code name}. */
  public synchronized void setPaused(String name, boolean paused) {
    Entry e = byName.get(name);
    if (e == null) {
      if (!paused) {
        return;
      }
      e = entry(name);
    }
    e.paused = paused;
    if (!paused) {
      e.backoffUntil = null;
    }
  }

  /** No claim under {@code name} before {@code until}; never shortens a back-off. */
  public synchronized void backOff(String name, Instant until) {
    Entry e = entry(name);
    if (e.backoffUntil == null || until.isAfter(e.backoffUntil)) {
      e.backoffUntil = until;
    }
  }

  /** Replaces the units the attempt's latest start reserved with {@code units}; nothing when it reserved none. */
  public synchronized void settle(UUID jobId, int attempt, long units) {
    List<Reservation> rows = byAttempt.get(new AttemptKey(jobId, attempt));
    if (rows == null || rows.isEmpty()) {
      return;
    }
    // A released or deferred attempt hands its number back, so earlier starts may share it: only
    // the latest start is the attempt that ended.
    Instant latest = rows.get(rows.size() - 1).startedAt;
    for (Reservation r : rows) {
      if (r.startedAt.equals(latest)) {
        r.units = units;
      }
    }
  }

  /**
   * The state of every name that has one, in name order.
   *
   * @param running PROCESSING jobs under a name
   * @param waiting PENDING jobs under a name
   */
  public synchronized List<LimitStatus> statuses(Instant now, ToIntFunction<String> running, ToLongFunction<String> waiting) {
    List<LimitStatus> out = new ArrayList<>();
    for (Map.Entry<String, Entry> me : byName.entrySet()) {
      Entry e = me.getValue();
      if (e.isEmpty(now)) {
        continue;
      }
      e.prune(now);
      out.add(LimitStatus.builder(me.getKey())
          .limit(e.limit)
          .running(running.applyAsInt(me.getKey()))
          .startsInWindow(e.startsIn(now))
          .unitsInWindow(e.unitsIn(now))
          .paused(e.paused)
          .backoffUntil(e.backoffUntil != null && e.backoffUntil.isAfter(now) ? e.backoffUntil : null)
          .waiting(waiting.applyAsLong(me.getKey()))
          .build());
    }
    return out;
  }

  /**
   * Starts one claim's round: what each name has left now. The caller holds the book's monitor
   * (synchronizes on it) for the whole claim, from this call to its last {@link Round#take}.
   *
   * @param running PROCESSING jobs under a name, asked once per bounded name
   */
  public Round round(Instant now, ToIntFunction<String> running) {
    if (!Thread.holdsLock(this)) {
      throw new IllegalStateException("a claim round runs under the book's monitor");
    }
    return new Round(now, running);
  }

  /** What each name has left during one claim; counts what the claim takes. */
  public final class Round {
    private final Instant now;
    private final ToIntFunction<String> running;
    private final Map<String, Left> left = new HashMap<>();

    private Round(Instant now, ToIntFunction<String> running) {
      this.now = now;
      this.running = running;
    }

    /** Room left under one bounded name in this round. */
    private final class Left {
      final Entry entry;
      int running;
      int starts;
      long units;

      Left(String name, Entry e) {
        this.entry = e;
        e.prune(now);
        JobLimit l = e.limit;
        this.running = l == null || l.maxRunning().isEmpty() ? Integer.MAX_VALUE
            : l.maxRunning().getAsInt() - Round.this.running.applyAsInt(name);
        this.starts = l == null || l.maxStarts().isEmpty() ? Integer.MAX_VALUE : l.maxStarts().getAsInt() - e.startsIn(now);
        this.units = l == null || l.maxUnits().isEmpty() ? Long.MAX_VALUE : l.maxUnits().getAsLong() - e.unitsIn(now);
      }

      boolean fits(long jobUnits) {
        return !entry.blocked(now) && running > 0 && starts > 0 && (units == Long.MAX_VALUE || jobUnits <= units);
      }
    }

    private @Nullable Left left(String name) {
      Entry e = byName.get(name);
      if (e == null) {
        return null;
      }
      return left.computeIfAbsent(name, n -> new Left(n, e));
    }

    /** {@return whether a job under {@code names} reserving {@code units} may start now} */
    public boolean fits(Set<String> names, long units) {
      for (String name : names) {
        Left l = left(name);
        if (l != null && !l.fits(units)) {
          return false;
        }
      }
      return true;
    }

    /** Counts a job that this claim took, and writes its starts and reservations into the ledger. */
    public void take(Set<String> names, long units, UUID jobId, int attempt) {
      for (String name : names) {
        Left l = left(name);
        if (l == null) {
          continue;
        }
        l.running--;
        l.starts--;
        if (l.units != Long.MAX_VALUE) {
          l.units -= units;
        }
        if (l.entry.keepsLedger()) {
          AttemptKey key = new AttemptKey(jobId, attempt);
          Reservation r = new Reservation(key, now, units);
          l.entry.ledger.addLast(r);
          byAttempt.computeIfAbsent(key, k -> new ArrayList<>(2)).add(r);
        }
      }
    }
  }
}
