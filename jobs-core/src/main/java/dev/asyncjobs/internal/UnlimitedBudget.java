package dev.asyncjobs.internal;

import dev.asyncjobs.BudgetLimits;
import dev.asyncjobs.BudgetPolicy;

/** The one policy that limits nobody's budget, so that a manager can tell it apart from any other. */
public final class UnlimitedBudget {
  private UnlimitedBudget() {}

  /** The policy. */
  public static final BudgetPolicy POLICY = owner -> BudgetLimits.NONE;
}
