package dev.asyncjobs;

import dev.asyncjobs.spi.StoreCapability;

/**
 * A setting or call needs an optional part of the store contract that the manager's store does not
 * declare (see {@link StoreCapability}): thrown by {@link JobManager.Builder#build()} for a quota
 * policy on a store without quotas, and by {@link JobManager#stats()} on a store without
 * statistics. Nothing was changed. An HTTP layer answers 501.
 */
public class UnsupportedCapabilityException extends JobConfigurationException {
  private static final long serialVersionUID = 1L;

  /** The capability the store lacks. */
  private final StoreCapability capability;

  /**
   * The store lacks {@code capability}.
   *
   * @param capability what the call needs
   * @param what the call or setting that needs it, for the message
   * @param store the store's description (e.g. its class name), for the message
   * @param advice what to do instead, for the message
   */
  public UnsupportedCapabilityException(StoreCapability capability, String what, String store, String advice) {
    super(what + " needs a store with the capability " + capability + ", and " + store + " does not declare it"
        + " (JobStore.capabilities()); " + advice);
    this.capability = capability;
  }

  /** {@return the capability the store lacks} */
  public StoreCapability capability() {
    return capability;
  }

  @Override
  public String code() {
    return "unsupported_capability";
  }
}
