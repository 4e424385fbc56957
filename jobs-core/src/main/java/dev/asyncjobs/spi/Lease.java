package dev.asyncjobs.spi;

import dev.asyncjobs.Job;
import dev.asyncjobs.LeaseLostException;
import java.util.Objects;
import java.util.UUID;

/**
 * What a worker holds on a PROCESSING job. Every worker write names it; a store accepts the write
 * only while the job is PROCESSING under the same worker and attempt (fencing), and otherwise
 * throws {@link LeaseLostException}.
 *
 * @param jobId the job
 * @param workerId the worker that claimed it
 * @param attempt the attempt number the claim started
 */
public record Lease(UUID jobId, String workerId, int attempt) {
  /**
   * Checks nullness.
   *
   * @param jobId the job
   * @param workerId the worker that claimed it
   * @param attempt the attempt number the claim started
   */
  public Lease {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(workerId, "workerId");
  }

  /**
   * {@return the lease a worker holds on a job it has just claimed}
   *
   * @param claimed the job as the claim returned it (PROCESSING)
   */
  public static Lease of(Job claimed) {
    return new Lease(claimed.id(), Objects.requireNonNull(claimed.workerId(), "workerId"), claimed.attempts());
  }
}
