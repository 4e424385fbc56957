package dev.asyncjobs.internal;

import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;

/**
 * The one instance of {@link QuotaPolicy#unlimited()}, so that a manager can tell "no quota" from
 * a policy that limits someone: only the former can run on a store without quotas.
 */
public final class UnlimitedQuota {
  /** No owner is limited. */
  public static final QuotaPolicy POLICY = owner -> QuotaLimits.UNLIMITED;

  private UnlimitedQuota() {}
}
