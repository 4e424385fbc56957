package dev.asyncjobs;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.QuotaWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The creation limits of one owner. Windows slide: "per hour" counts creates in the hour before now.
 *
 * @param maxPerHour creates allowed in any hour
 * @param maxPerDay creates allowed in any 24 hours
 * @param minInterval least time between two create calls of the owner ({@link Duration#ZERO} for none)
 */
public record QuotaLimits(int maxPerHour, int maxPerDay, Duration minInterval) {

  /** No limit at all (service accounts, tests). */
  public static final QuotaLimits UNLIMITED =
      new QuotaLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO);

  /**
   * Checks ranges.
   *
   * @param maxPerHour creates allowed in any hour
   * @param maxPerDay creates allowed in any 24 hours
   * @param minInterval least time between two create calls of the owner ({@link Duration#ZERO} for none)
   */
  public QuotaLimits {
    Objects.requireNonNull(minInterval, "minInterval");
    if (maxPerHour < 0) {
      throw new JobConfigurationException("quota maxPerHour must be >= 0, was " + maxPerHour);
    }
    if (maxPerDay < 0) {
      throw new JobConfigurationException("quota maxPerDay must be >= 0, was " + maxPerDay);
    }
    if (minInterval.isNegative()) {
      throw new JobConfigurationException("quota minInterval must not be negative, was " + minInterval);
    }
  }

  /** {@return whether these limits never refuse anything} */
  public boolean isUnlimited() {
    return maxPerHour == Integer.MAX_VALUE && maxPerDay == Integer.MAX_VALUE && minInterval.isZero();
  }

  /**
   * Decides whether {@code requested} more creates fit, given the owner's recent creates. Every
   * store calls this inside its atomic insert, so that the rule is the same everywhere.
   *
   * @param ownerId the owner, for the exception
   * @param now the time of the create
   * @param requested how many creates are asked for at once
   * @param window the owner's recent creates, from {@link JobStore#quotaWindow}
   * @throws QuotaExceededException naming the first limit that does not fit
   */
  public void check(String ownerId, Instant now, int requested, QuotaWindow window) {
    if (isUnlimited() || requested == 0) {
      return;
    }
    Instant last = window.lastCreatedAt();
    if (!minInterval.isZero() && last != null && now.isBefore(last.plus(minInterval))) {
      throw new QuotaExceededException(
          ownerId, QuotaExceededException.Limit.MIN_INTERVAL, minInterval.toSeconds(), last.plus(minInterval));
    }
    if ((long) window.lastHour() + requested > maxPerHour) {
      Instant retry = requested > maxPerHour ? null : oldestPlus(window.oldestInHour(), now, Duration.ofHours(1));
      throw new QuotaExceededException(ownerId, QuotaExceededException.Limit.PER_HOUR, maxPerHour, retry);
    }
    if ((long) window.lastDay() + requested > maxPerDay) {
      Instant retry = requested > maxPerDay ? null : oldestPlus(window.oldestInDay(), now, Duration.ofDays(1));
      throw new QuotaExceededException(ownerId, QuotaExceededException.Limit.PER_DAY, maxPerDay, retry);
    }
  }

  private static Instant oldestPlus(@org.jspecify.annotations.Nullable Instant oldest, Instant now, Duration window) {
    return oldest == null ? now.plus(window) : oldest.plus(window);
  }
}
