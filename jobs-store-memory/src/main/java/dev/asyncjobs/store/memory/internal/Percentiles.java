package dev.asyncjobs.store.memory.internal;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Continuous percentiles, computed as PostgreSQL's {@code percentile_cont} does, so stores agree. */
public final class Percentiles {
  private Percentiles() {}

  /** The {@code fraction} percentile of {@code sorted} (ascending), or null when empty. */
  public static @Nullable Duration cont(List<Duration> sorted, double fraction) {
    if (sorted.isEmpty()) {
      return null;
    }
    double pos = fraction * (sorted.size() - 1);
    int lower = (int) Math.floor(pos);
    int upper = (int) Math.ceil(pos);
    long lo = sorted.get(lower).toNanos();
    long hi = sorted.get(upper).toNanos();
    return Duration.ofNanos(lo + Math.round((hi - lo) * (pos - lower)));
  }

  /** The mean, or null when empty. */
  public static @Nullable Duration mean(List<Duration> values) {
    if (values.isEmpty()) {
      return null;
    }
    long total = 0;
    for (Duration d : values) {
      total += d.toNanos();
    }
    return Duration.ofNanos(total / values.size());
  }
}
