package dev.asyncjobs;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.QuotaWindow;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An owner's quota: limits, use, and when the next create is allowed.
 *
 * @param ownerId the owner
 * @param limits the limits that apply to the owner
 * @param usedLastHour creates in the last hour
 * @param usedLastDay creates in the last 24 hours
 * @param lastCreatedAt the most recent create
 * @param nextCreateAllowedAt earliest instant a single create is allowed (now when allowed now)
 */
public record QuotaUsage(
    String ownerId,
    QuotaLimits limits,
    int usedLastHour,
    int usedLastDay,
    @Nullable Instant lastCreatedAt,
    @Nullable Instant nextCreateAllowedAt) {

  /**
   * Derives usage from a store's window with the same rule {@link QuotaLimits#check} applies.
   *
   * @param ownerId the owner
   * @param limits the owner's limits
   * @param window the owner's recent creates, from {@link JobStore#quotaWindow}
   * @param now the current time
   * @return the usage
   */
  public static QuotaUsage of(String ownerId, QuotaLimits limits, QuotaWindow window, Instant now) {
    Instant next = now;
    try {
      limits.check(ownerId, now, 1, window);
    } catch (QuotaExceededException e) {
      next = e.retryAt();
    }
    return new QuotaUsage(ownerId, limits, window.lastHour(), window.lastDay(), window.lastCreatedAt(), next);
  }
}
