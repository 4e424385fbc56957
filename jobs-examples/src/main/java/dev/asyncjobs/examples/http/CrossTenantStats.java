package dev.asyncjobs.examples.http;

import dev.asyncjobs.JobStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The statistics over all owners, computed at most once per {@code ttl}: computing them reads the
 * whole table, so a flood of {@code /api/stats?scope=all} must not mean a scan per request. Callers
 * that arrive while an answer is being computed wait for it instead of starting another scan.
 */
final class CrossTenantStats {
  private final Supplier<List<JobStats>> compute;
  private final Clock clock;
  private final Duration ttl;
  private @Nullable List<JobStats> cached;
  private Instant computedAt = Instant.MIN;

  CrossTenantStats(Supplier<List<JobStats>> compute, Clock clock, Duration ttl) {
    this.compute = compute;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The statistics, at most {@code ttl} old. */
  synchronized List<JobStats> get() {
    Instant now = clock.instant();
    List<JobStats> current = cached;
    if (current != null && now.isBefore(computedAt.plus(ttl))) {
      return current;
    }
    current = List.copyOf(compute.get());
    cached = current;
    computedAt = now;
    return current;
  }
}
