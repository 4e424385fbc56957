package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import java.time.Duration;

/** The quota policy of the {@code asyncjobs.quota.*} properties: none unless one is set. */
public final class QuotaSettings {
  private QuotaSettings() {}

  /**
   * {@return the policy: unlimited when no limit is set, else every owner gets the limits set (an
   * unset one does not limit)}
   *
   * @param quota the properties
   */
  public static QuotaPolicy policy(AsyncJobsProperties.Quota quota) {
    if (!quota.isSet()) {
      return QuotaPolicy.unlimited();
    }
    return QuotaPolicy.perOwner(
        quota.perHour() == null ? Integer.MAX_VALUE : quota.perHour(),
        quota.perDay() == null ? Integer.MAX_VALUE : quota.perDay(),
        quota.minInterval() == null ? Duration.ZERO : quota.minInterval());
  }
}
