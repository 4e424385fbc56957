package dev.asyncjobs.spi;

import java.util.Set;
import java.util.UUID;

/**
 * The answer to a heartbeat.
 *
 * @param lost jobs whose lease the worker no longer holds: abandon them without writing
 * @param cancelRequested jobs (still leased) whose owner asked to cancel them
 */
public record HeartbeatResult(Set<UUID> lost, Set<UUID> cancelRequested) {
  /**
   * Copies the sets.
   *
   * @param lost jobs whose lease the worker no longer holds: abandon them without writing
   * @param cancelRequested jobs (still leased) whose owner asked to cancel them
   */
  public HeartbeatResult {
    lost = Set.copyOf(lost);
    cancelRequested = Set.copyOf(cancelRequested);
  }
}
