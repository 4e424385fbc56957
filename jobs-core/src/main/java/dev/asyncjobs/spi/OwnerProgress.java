package dev.asyncjobs.spi;

import dev.asyncjobs.InvalidRequestException;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A progress update made through the job's owner (a worker outside this library reporting through
 * the API) for {@link JobStore#updateProgress}; it holds no lease, so the store checks the owner and
 * that the job is PROCESSING.
 *
 * @param ownerId the owner the job must belong to
 * @param jobId the job's id
 * @param progress the new progress, 0–100 (the store refuses a value below the current one)
 * @param message an optional short message that goes with it
 */
public record OwnerProgress(String ownerId, UUID jobId, int progress, @Nullable String message) {

  /**
   * Checks nullness and the range of {@code progress}.
   *
   * @param ownerId the owner the job must belong to
   * @param jobId the job's id
   * @param progress the new progress, 0–100
   * @param message an optional short message that goes with it
   * @throws InvalidRequestException progress outside 0–100
   */
  public OwnerProgress {
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(jobId, "jobId");
    checkRange(progress);
  }

  static void checkRange(int progress) {
    if (progress < 0 || progress > 100) {
      throw new InvalidRequestException("progress", "progress must be 0-100, was " + progress);
    }
  }
}
