package dev.asyncjobs.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One successful attempt to record with {@link JobStore#completeAll}.
 *
 * @param lease the lease the worker holds
 * @param resultJson the result as JSON text
 * @param actualDuration how long the attempt ran
 */
public record Completion(Lease lease, String resultJson, Duration actualDuration) {
  /**
   * Checks nullness.
   *
   * @param lease the lease the worker holds
   * @param resultJson the result as JSON text
   * @param actualDuration how long the attempt ran
   */
  public Completion {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(resultJson, "resultJson");
    Objects.requireNonNull(actualDuration, "actualDuration");
  }
}
