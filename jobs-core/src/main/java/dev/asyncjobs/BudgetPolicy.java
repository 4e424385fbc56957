package dev.asyncjobs;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link BudgetLimits} apply to which owner. A {@link JobManager} limits nobody's budget
 * unless given a policy; a host may implement this interface to read budgets from its own plans.
 */
@FunctionalInterface
public interface BudgetPolicy {
  /**
   * The limits of one owner. Called on every create: keep it fast.
   *
   * @param ownerId the owner
   * @return the owner's limits
   */
  BudgetLimits limitsFor(String ownerId);

  /** {@return a policy that limits nobody: the default} */
  static BudgetPolicy unlimited() {
    return dev.asyncjobs.internal.UnlimitedBudget.POLICY;
  }

  /**
   * {@return a policy giving every owner {@code limits}}
   *
   * @param limits every owner's limits
   */
  static BudgetPolicy everyOwner(BudgetLimits limits) {
    Objects.requireNonNull(limits, "limits");
    return owner -> limits;
  }

  /** {@return a builder of default limits with per-owner overrides} */
  static Builder builder() {
    return new Builder();
  }

  /** Default limits and per-owner overrides. */
  final class Builder {
    private BudgetLimits defaults = BudgetLimits.NONE;
    private final Map<String, BudgetLimits> owners = new HashMap<>();

    private Builder() {}

    /**
     * The limits of owners without their own.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder defaults(BudgetLimits limits) {
      defaults = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * One owner's limits.
     *
     * @param ownerId the owner
     * @param limits its limits
     * @return this builder
     */
    public Builder owner(String ownerId, BudgetLimits limits) {
      owners.put(Objects.requireNonNull(ownerId, "ownerId"), Objects.requireNonNull(limits, "limits"));
      return this;
    }

    /** {@return the policy} */
    public BudgetPolicy build() {
      Map<String, BudgetLimits> copy = Map.copyOf(owners);
      BudgetLimits d = defaults;
      return owner -> copy.getOrDefault(owner, d);
    }
  }
}
