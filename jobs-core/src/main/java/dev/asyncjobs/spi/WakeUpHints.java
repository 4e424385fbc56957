package dev.asyncjobs.spi;


/**
 * A registration for a store's wake-up hints (see {@link JobStore#onWakeUpHint}); close it to stop
 * the calls.
 */
@FunctionalInterface
public interface WakeUpHints extends AutoCloseable {
  /** Stops the calls. Idempotent. */
  @Override
  void close();
}
