package dev.asyncjobs.spi;

import dev.asyncjobs.InvalidRequestException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A worker's progress report for {@link JobStore#reportProgress}, made under the attempt's lease.
 *
 * @param lease the lease of the attempt
 * @param progress the new progress, 0–100 (the store refuses a value below the current one)
 * @param message an optional short message that goes with it
 */
public record WorkerProgress(Lease lease, int progress, @Nullable String message) {

  /**
   * Checks nullness and the range of {@code progress}.
   *
   * @param lease the lease of the attempt
   * @param progress the new progress, 0–100
   * @param message an optional short message that goes with it
   * @throws InvalidRequestException progress outside 0–100
   */
  public WorkerProgress {
    Objects.requireNonNull(lease, "lease");
    OwnerProgress.checkRange(progress);
  }
}
