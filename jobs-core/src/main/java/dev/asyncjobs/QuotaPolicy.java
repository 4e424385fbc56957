package dev.asyncjobs;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link QuotaLimits} apply to which owner. The default gives every owner {@link
 * QuotaLimits#DEFAULT}; a host may implement this interface to read limits from its own user plans.
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
   * Every owner gets the mission's defaults.
   *
   * @return the default policy
   */
  static QuotaPolicy defaults() {
    return owner -> QuotaLimits.DEFAULT;
  }

  /**
   * No owner is limited.
   *
   * @return a policy without limits
   */
  static QuotaPolicy unlimited() {
    return owner -> QuotaLimits.UNLIMITED;
  }

  /**
   * A policy with default limits and per-owner overrides.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /** Builds a policy from defaults and overrides. */
  final class Builder {
    private QuotaLimits defaults = QuotaLimits.DEFAULT;
    private final Map<String, QuotaLimits> overrides = new HashMap<>();

    private Builder() {}

    /**
     * Limits for every owner without an override.
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
      return owner -> o.getOrDefault(owner, d);
    }
  }
}
