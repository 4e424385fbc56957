package dev.asyncjobs.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Ticks every {@code interval}, counted from the epoch: the same instants in every process and
 * after every restart (an hourly schedule ticks at the full hour, UTC), which is what makes a
 * tick's identity, and so its unique key, the same everywhere.
 */
public final class IntervalTicks implements Ticks {
  private final long millis;

  /** @param interval at least one millisecond */
  public IntervalTicks(Duration interval) {
    this.millis = interval.toMillis();
  }

  @Override
  public Optional<Instant> next(Instant after) {
    long t = Math.floorDiv(after.toEpochMilli(), millis) * millis + millis;
    return Optional.of(Instant.ofEpochMilli(t));
  }

  @Override
  public Optional<Instant> last(Instant before) {
    long b = before.toEpochMilli();
    // before itself is excluded; an instant with sub-millisecond parts is after its millisecond
    long edge = before.getNano() % 1_000_000 == 0 ? b - 1 : b;
    return Optional.of(Instant.ofEpochMilli(Math.floorDiv(edge, millis) * millis));
  }
}
