package dev.asyncjobs.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the claim loop when a job that is PENDING for later becomes due (a scheduled retry, a job
 * created with a future {@code runAt}), so that it starts on time rather than at the next poll.
 * Bounded: beyond {@link #MAX_PENDING} distinct instants the poll interval covers the rest.
 */
final class WakeSchedule {
  static final int MAX_PENDING = 10_000;

  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final Runnable wake;
  private final Set<Instant> pending = ConcurrentHashMap.newKeySet();

  WakeSchedule(Clock clock, ScheduledExecutorService timer, Runnable wake) {
    this.clock = clock;
    this.timer = timer;
    this.wake = wake;
  }

  /** Wakes the loop at {@code runAt} (by this worker's clock), or now when it has passed. */
  void wakeAt(Instant runAt) {
    Duration delay = Duration.between(clock.instant(), runAt);
    if (delay.isNegative() || delay.isZero()) {
      wake.run();
      return;
    }
    if (pending.size() >= MAX_PENDING || !pending.add(runAt)) {
      return;
    }
    long nanos;
    try {
      nanos = delay.toNanos();
    } catch (ArithmeticException farFuture) {
      pending.remove(runAt);
      return;
    }
    try {
      timer.schedule(
          () -> {
            pending.remove(runAt);
            wake.run();
          },
          nanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      pending.remove(runAt);
    }
  }

  int pendingCount() {
    return pending.size();
  }
}
