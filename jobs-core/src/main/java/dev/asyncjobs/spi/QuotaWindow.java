package dev.asyncjobs.spi;

import dev.asyncjobs.QuotaLimits;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An owner's recent creates as a store counts them; input to {@link QuotaLimits#check}.
 *
 * @param lastHour creates in the hour before now
 * @param lastDay creates in the 24 hours before now
 * @param oldestInHour the oldest create counted in {@code lastHour}
 * @param oldestInDay the oldest create counted in {@code lastDay}
 * @param lastCreatedAt the most recent create call, at any time since the last reset
 */
public record QuotaWindow(
    int lastHour,
    int lastDay,
    @Nullable Instant oldestInHour,
    @Nullable Instant oldestInDay,
    @Nullable Instant lastCreatedAt) {

  /** An owner with no recent creates. */
  public static final QuotaWindow EMPTY = new QuotaWindow(0, 0, null, null, null);
}
