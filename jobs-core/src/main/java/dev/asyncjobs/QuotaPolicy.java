package dev.asyncjobs;

import dev.asyncjobs.internal.UnlimitedQuota;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link QuotaLimits} apply to which owner. A {@link JobManager} limits nobody unless given a
 * policy: {@code QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1))} gives every owner the same
 * limits, {@link #builder()} adds per-owner plans, and a host may implement this interface to read
 * limits from its own user plans.
 */
@FunctionalInterface
public interface QuotaPolicy {

  /**
   * The limits for one owner. Called on every create: keep it fast.
   *
   * @param ownerId the owner
   * @return the owner's limits
   */
  QuotaLimits limitsFor(String ownerId);

  /**
   * Every owner gets the same limits.
   *
   * @param maxPerHour creates allowed to one owner in any hour
   * @param maxPerDay creates allowed to one owner in any 24 hours
   * @param minInterval least time between two creates of one owner ({@link Duration#ZERO} for none)
   * @return the policy
   * @throws JobConfigurationException a negative limit or interval
   */
  static QuotaPolicy perOwner(int maxPerHour, int maxPerDay, Duration minInterval) {
    return everyOwner(new QuotaLimits(maxPerHour, maxPerDay, minInterval));
  }

  /**
   * Every owner gets {@code limits}.
   *
   * @param limits the limits of every owner
   * @return the policy
   */
  static QuotaPolicy everyOwner(QuotaLimits limits) {
    Objects.requireNonNull(limits, "limits");
    return owner -> limits;
  }

  /**
   * No owner is limited: the default of a {@link JobManager}.
   *
   * @return a policy without limits
   */
  static QuotaPolicy unlimited() {
    return UnlimitedQuota.POLICY;
  }

  /**
   * A policy with limits for every owner (none unless set) and per-owner overrides.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /** Builds a policy from defaults and overrides. */
  final class Builder {
    private QuotaLimits defaults = QuotaLimits.UNLIMITED;
    private final Map<String, QuotaLimits> overrides = new HashMap<>();

    private Builder() {}

    /**
     * Limits for every owner without an override; unlimited unless set.
     *
     * @param limits the default limits
     * @return this builder
     */
    public Builder defaults(QuotaLimits limits) {
      defaults = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Limits for one owner, e.g. a premium plan.
     *
     * @param ownerId the owner
     * @param limits the owner's limits
     * @return this builder
     */
    public Builder owner(String ownerId, QuotaLimits limits) {
      overrides.put(Objects.requireNonNull(ownerId, "ownerId"), Objects.requireNonNull(limits, "limits"));
      return this;
    }

    /**
     * No limits for one owner, e.g. a service account.
     *
     * @param ownerId the owner
     * @return this builder
     */
    public Builder unlimited(String ownerId) {
      return owner(ownerId, QuotaLimits.UNLIMITED);
    }

    /** {@return the policy (immutable)} */
    public QuotaPolicy build() {
      QuotaLimits d = defaults;
      Map<String, QuotaLimits> o = Map.copyOf(overrides);
      if (d.isUnlimited() && o.values().stream().allMatch(QuotaLimits::isUnlimited)) {
        return QuotaPolicy.unlimited(); // limits nobody, so it runs on stores without quotas too
      }
      return owner -> o.getOrDefault(owner, d);
    }
  }
}
