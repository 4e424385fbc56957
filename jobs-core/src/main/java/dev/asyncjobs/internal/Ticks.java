package dev.asyncjobs.internal;

import java.time.Instant;
import java.util.Optional;

/** When a schedule ticks: a cron expression's instants or a fixed interval's. */
public interface Ticks {
  /**
   * {@return the first tick strictly after {@code after}, if there is one}
   *
   * @param after the instant
   */
  Optional<Instant> next(Instant after);

  /**
   * {@return the last tick strictly before {@code before}, if there is one}
   *
   * @param before the instant
   */
  Optional<Instant> last(Instant before);
}
