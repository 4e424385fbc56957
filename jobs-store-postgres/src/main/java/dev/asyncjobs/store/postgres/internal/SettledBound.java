package dev.asyncjobs.store.postgres.internal;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Works out up to which sequence number the event log is settled and durable: every event numbered
 * at or below the bound is either visible to a new snapshot or will never exist, and no database
 * crash can take it back. Only such events are delivered, which is what makes a resume after "the
 * last sequence I saw" exact.
 *
 * <p>Numbers are taken before their transactions commit, so a reader can see number 12 while 11 is
 * still uncommitted (or rolled back, and never to appear). Two rules settle numbers:
 *
 * <ul>
 *   <li>A run of consecutive visible numbers right after the bound is settled at once.
 *   <li>Beyond a gap, after seeing number {@code s} the reader takes a fresh transaction id {@code
 *       F} (a <em>fence</em>). Every writer of a number below {@code s} had its transaction id
 *       before it took its number, hence before {@code F}; once a later snapshot's xmin is above
 *       {@code F}, all of them have ended, and {@code s} is settled.
 * </ul>
 *
 * <p>Durable: a writer may commit without waiting for its WAL flush (the store's claims and
 * progress reports do; a host may run with {@code synchronous_commit} off). Its rows are visible at
 * once, yet a crash before the flush takes them back, and their sequence numbers with them, to be
 * handed out again. So what a look settled is delivered only once the WAL is flushed up to where it
 * was inserting at that look (everything committed before the look is then on disk), or once a
 * fence taken after the look has returned (a fence waits for its own flush, which covers all that
 * came before it).
 *
 * <p>Not thread-safe: its owner serialises the calls.
 */
public final class SettledBound {
  /** Fences kept at most; dropping the oldest only delays settling, it never settles wrongly. */
  static final int MAX_FENCES = 64;

  /** A number seen and the fence taken after seeing it. */
  private record Fence(long seq, long xid) {}

  /** A settled bound and where the WAL was being inserted when it was seen: durable once flushed so far. */
  private record Unflushed(long bound, long insertLsn) {}

  private final ArrayDeque<Fence> fences = new ArrayDeque<>();
  private final ArrayDeque<Unflushed> unflushed = new ArrayDeque<>();
  /** Everything at or below this is settled (it may not be flushed yet). */
  private long settled;
  /** Everything at or below this is settled and flushed: what may be delivered. */
  private long durable;

  /** A bound starting at {@code start}: everything up to it counts as settled (delivered or skipped). */
  public SettledBound(long start) {
    this.settled = start;
    this.durable = start;
  }

  /** Everything at or below this is settled and durable. */
  public long bound() {
    return durable;
  }

  /** Where the next look starts: the numbers above it are not known to be settled. */
  public long lookAfter() {
    return settled;
  }

  /** Whether numbers beyond the bound were seen that wait for their fence or for the WAL flush. */
  public boolean waiting() {
    return !fences.isEmpty() || !unflushed.isEmpty();
  }

  /** The oldest fence still waited for, or -1 (for the warning about long transactions). */
  public long oldestFence() {
    Fence f = fences.peekFirst();
    return f == null ? -1 : f.xid();
  }

  /**
   * Records that numbers up to {@code seq} were handed out before {@code fenceXid} was (a start
   * without looking at every number): they settle once a snapshot's xmin passes the fence.
   */
  public void expect(long seq, long fenceXid) {
    Fence last = fences.peekLast();
    if (seq > settled && (last == null || last.seq() < seq)) {
      if (fences.size() >= MAX_FENCES) {
        fences.pollFirst();
      }
      fences.addLast(new Fence(seq, fenceXid));
    }
  }

  /**
   * Takes in one look at the log.
   *
   * @param visibleAfterBound the numbers above the previous bound that the look's snapshot saw, in
   *     ascending order (possibly only the first of them)
   * @param snapshotXmin the xmin of that snapshot
   * @param prunedThrough how far the log is pruned, as the same snapshot saw it
   * @param insertLsn where the WAL was being inserted when the look ran (after its snapshot)
   * @param flushLsn how far the WAL was flushed at the look
   * @param fence takes a new fence, which also flushes the WAL; called at most once, after the
   *     look, only when a gap is left or what is settled is not flushed yet
   * @return the new bound (settled and durable)
   */
  public long observe(
      long[] visibleAfterBound, long snapshotXmin, long prunedThrough, long insertLsn, long flushLsn, LongSupplier fence) {
    if (prunedThrough > settled) {
      settled = prunedThrough;
    }
    while (!fences.isEmpty() && fences.peekFirst().xid() < snapshotXmin) {
      settled = Math.max(settled, fences.pollFirst().seq());
    }
    long newest = settled;
    for (long s : visibleAfterBound) {
      if (s == settled + 1) {
        settled = s;
      }
      newest = Math.max(newest, s);
    }
    while (!fences.isEmpty() && fences.peekFirst().seq() <= settled) {
      fences.pollFirst();
    }
    // What this look settled was committed before it, so it is on disk once the WAL is flushed up
    // to where the look saw it being inserted.
    Unflushed latest = unflushed.peekLast();
    if (settled > durable && (latest == null || latest.bound() < settled)) {
      if (latest != null && latest.insertLsn() >= insertLsn) {
        unflushed.pollLast();
      }
      if (unflushed.size() >= MAX_FENCES) {
        unflushed.pollFirst();
      }
      unflushed.addLast(new Unflushed(settled, insertLsn));
    }
    while (!unflushed.isEmpty() && unflushed.peekFirst().insertLsn() <= flushLsn) {
      durable = Math.max(durable, unflushed.pollFirst().bound());
    }
    Fence last = fences.peekLast();
    boolean gap = newest > settled && (last == null || last.seq() < newest);
    if (gap || !unflushed.isEmpty()) {
      long xid = fence.getAsLong();
      if (gap) {
        expect(newest, xid);
      }
      // The fence waited for its flush: everything this look saw is on disk.
      unflushed.clear();
      durable = Math.max(durable, settled);
    }
    if (prunedThrough > durable) {
      durable = prunedThrough;
    }
    return durable;
  }
}
