package dev.asyncjobs.internal;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Learns how long jobs of a type take: the median of the latest completed durations, once there
 * are enough of them; the generator's own estimate before that, and always on a store without
 * {@link StoreCapability#STATISTICS}. Cached briefly, so that a burst of
 * creates does not query the store for every job.
 */
public final class DurationEstimator {
  private final JobStore store;
  private final Clock clock;
  private final int sampleSize;
  private final int minSamples;
  private final Duration refreshEvery;
  private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Duration learned, Instant at) {}

  public DurationEstimator(JobStore store, Clock clock, int sampleSize, int minSamples, Duration refreshEvery) {
    this.store = store;
    this.clock = clock;
    this.sampleSize = sampleSize;
    this.minSamples = minSamples;
    this.refreshEvery = refreshEvery;
  }

  /** The estimate for a job of {@code type} whose generator guesses {@code generatorEstimate}. */
  public Duration estimate(String type, Duration generatorEstimate) {
    Instant now = clock.instant();
    Cached c = cache.get(type);
    if (c == null || !now.isBefore(c.at().plus(refreshEvery))) {
      c = new Cached(learn(type), now);
      cache.put(type, c);
    }
    return c.learned().isZero() ? generatorEstimate : c.learned();
  }

  private Duration learn(String type) {
    if (!store.capabilities().contains(StoreCapability.STATISTICS)) {
      return Duration.ZERO; // nothing to learn from: the generator's estimate stands
    }
    List<Duration> recent = new ArrayList<>(store.recentDurations(type, sampleSize));
    if (recent.size() < minSamples) {
      return Duration.ZERO;
    }
    Collections.sort(recent);
    return recent.get(recent.size() / 2);
  }
}
