package dev.asyncjobs.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class SettledBoundTest {
  private final AtomicInteger fencesTaken = new AtomicInteger();

  private LongSupplier fence(long xid) {
    return () -> {
      fencesTaken.incrementAndGet();
      return xid;
    };
  }

  /** A WAL flushed past every look: durability holds nothing back. */
  private static final long FLUSHED = Long.MAX_VALUE;

  private static final LongSupplier NO_FENCE = () -> {
    throw new AssertionError("no fence expected");
  };

  @Test
  void consecutiveVisibleNumbersSettleAtOnceWithoutAFence() {
    SettledBound b = new SettledBound(10);
    assertThat(b.observe(new long[] {11, 12, 13}, 500, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(13);
    assertThat(b.waiting()).isFalse();
    assertThat(b.observe(new long[] {}, 500, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(13);
  }

  @Test
  void aGapHoldsBackWhatFollowsUntilTheFenceIsPassed() {
    SettledBound b = new SettledBound(10);
    // 12 is visible, 11 is not (its writer has not committed, or rolled back).
    assertThat(b.observe(new long[] {12}, 100, 0, 0, FLUSHED, fence(120))).isEqualTo(10);
    assertThat(b.waiting()).isTrue();
    assertThat(b.oldestFence()).isEqualTo(120);
    // A later look whose xmin has not passed the fence: still held, no second fence for the same number.
    assertThat(b.observe(new long[] {12}, 120, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(10);
    // The gap is filled: settled by consecutiveness, before the fence is passed.
    assertThat(b.observe(new long[] {11, 12}, 120, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(12);
    assertThat(b.waiting()).isFalse();
    assertThat(fencesTaken).hasValue(1);
  }

  @Test
  void aRolledBackNumberIsSkippedOnceTheFenceIsPassed() {
    SettledBound b = new SettledBound(0);
    assertThat(b.observe(new long[] {2, 3}, 50, 0, 0, FLUSHED, fence(60))).isEqualTo(0);
    // Every transaction older than the fence has ended and 1 never appeared: it never will.
    assertThat(b.observe(new long[] {2, 3, 4}, 61, 0, 0, FLUSHED, fence(70))).isEqualTo(4);
    assertThat(b.waiting()).isFalse();
  }

  @Test
  void numbersSeenAfterTheFenceWaitForALaterFence() {
    SettledBound b = new SettledBound(0);
    b.observe(new long[] {2}, 50, 0, 0, FLUSHED, fence(60));
    // 5 appears beyond another gap before the first fence is passed: it gets a fence of its own.
    b.observe(new long[] {2, 5}, 55, 0, 0, FLUSHED, fence(65));
    // The first fence passes: everything up to 2 is settled, 3 and 4 are not yet known.
    assertThat(b.observe(new long[] {2, 5}, 61, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(2);
    assertThat(b.observe(new long[] {5}, 66, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(5);
  }

  @Test
  void theFenceMustBePassedNotJustReached() {
    SettledBound b = new SettledBound(0);
    b.observe(new long[] {2}, 50, 0, 0, FLUSHED, fence(60));
    // xmin 60 means transaction 60 (or one before it) may still run.
    assertThat(b.observe(new long[] {2}, 60, 0, 0, FLUSHED, NO_FENCE)).isZero();
    assertThat(b.observe(new long[] {2}, 61, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(2);
  }

  @Test
  void pruningMovesTheBoundPastWhatIsGone() {
    SettledBound b = new SettledBound(0);
    b.observe(new long[] {7}, 10, 0, 0, FLUSHED, fence(20));
    assertThat(b.observe(new long[] {9}, 10, 8, 0, FLUSHED, fence(21))).isEqualTo(9);
    assertThat(b.waiting()).isFalse();
  }

  @Test
  void aStartFromTheNewestNumberSettlesOnceItsFenceIsPassed() {
    SettledBound b = new SettledBound(0);
    b.expect(40, 300);
    assertThat(b.observe(new long[] {1, 2, 3}, 290, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(3);
    assertThat(b.observe(new long[] {4}, 301, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(40);
  }

  @Test
  void fencesAreBoundedAndDroppingTheOldestOnlyDelays() {
    SettledBound b = new SettledBound(0);
    for (int i = 0; i < SettledBound.MAX_FENCES + 10; i++) {
      long seq = 2 + 2L * i;
      b.observe(new long[] {seq}, 1, 0, 0, FLUSHED, fence(100 + i));
    }
    long newest = 2 + 2L * (SettledBound.MAX_FENCES + 9);
    assertThat(b.observe(new long[] {}, 100 + SettledBound.MAX_FENCES + 10, 0, 0, FLUSHED, NO_FENCE)).isEqualTo(newest);
  }

  @Test
  void numbersCommittedBeforeALookWhoseWalIsFlushedAreHandedOutWithoutAFence() {
    SettledBound b = new SettledBound(0);
    assertThat(b.observe(new long[] {1, 2}, 100, 0, 500, 500, NO_FENCE)).isEqualTo(2);
    assertThat(b.waiting()).isFalse();
  }

  @Test
  void whatIsNotFlushedYetIsHandedOutOnlyAfterAFenceWhichWaitsForTheFlush() {
    SettledBound b = new SettledBound(0);
    // 1 and 2 are visible (committed without waiting for the flush): inserted up to 500, flushed to 300.
    assertThat(b.observe(new long[] {1, 2}, 100, 0, 500, 300, fence(101))).isEqualTo(2);
    assertThat(fencesTaken).as("one fence, which flushed").hasValue(1);
    assertThat(b.waiting()).isFalse();
    assertThat(b.lookAfter()).isEqualTo(2);
  }

  @Test
  void oneFenceServesAGapAndTheFlushAtOnce() {
    SettledBound b = new SettledBound(0);
    // 1 visible and unflushed, 3 visible beyond a gap: one fence for both.
    assertThat(b.observe(new long[] {1, 3}, 100, 0, 900, 100, fence(150))).isEqualTo(1);
    assertThat(fencesTaken).hasValue(1);
    assertThat(b.observe(new long[] {3}, 151, 0, 900, 900, NO_FENCE)).isEqualTo(3);
  }
}
