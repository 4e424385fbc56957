package dev.asyncjobs.store.postgres.internal;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Works out up to which sequence number the event log is settled: every event numbered at or below
 * the bound is either visible to a new snapshot or will never exist. Only settled events are
 * delivered, which is what makes a resume after "the last sequence I saw" exact.
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
 * <p>Not thread-safe: its owner serialises the calls.
 */
public final class SettledBound {
  /** Fences kept at most; dropping the oldest only delays settling, it never settles wrongly. */
  static final int MAX_FENCES = 64;

  /** A number seen and the fence taken after seeing it. */
  private record Fence(long seq, long xid) {}

  private final ArrayDeque<Fence> fences = new ArrayDeque<>();
  private long bound;

  /** A bound starting at {@code start}: everything up to it counts as settled (delivered or skipped). */
  public SettledBound(long start) {
    this.bound = start;
  }

  /** Everything at or below this is settled. */
  public long bound() {
    return bound;
  }

  /** Whether numbers beyond the bound were seen that wait for their fence. */
  public boolean waiting() {
    return !fences.isEmpty();
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
    if (seq > bound && (last == null || last.seq() < seq)) {
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
   * @param fence takes a new fence; called at most once, after the look, only when a gap is left
   * @return the new bound
   */
  public long observe(long[] visibleAfterBound, long snapshotXmin, long prunedThrough, LongSupplier fence) {
    if (prunedThrough > bound) {
      bound = prunedThrough;
    }
    while (!fences.isEmpty() && fences.peekFirst().xid() < snapshotXmin) {
      bound = Math.max(bound, fences.pollFirst().seq());
    }
    long newest = bound;
    for (long s : visibleAfterBound) {
      if (s == bound + 1) {
        bound = s;
      }
      newest = Math.max(newest, s);
    }
    while (!fences.isEmpty() && fences.peekFirst().seq() <= bound) {
      fences.pollFirst();
    }
    Fence last = fences.peekLast();
    if (newest > bound && (last == null || last.seq() < newest)) {
      expect(newest, fence.getAsLong());
    }
    return bound;
  }
}
