package dev.asyncjobs;

import java.util.UUID;

/**
 * A worker wrote to a job whose lease it no longer holds (rescued, cancelled, or claimed again).
 * The write was refused; the worker must abandon the attempt without further writes.
 */
public class LeaseLostException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The job. */
  private final UUID jobId;
  /** The worker whose lease was lost. */
  private final String workerId;

  /**
   * {@code workerId} lost the lease of {@code jobId}.
   *
   * @param jobId the job
   * @param workerId the worker whose lease was lost
   * @param attempt the attempt the lease was for
   */
  public LeaseLostException(UUID jobId, String workerId, int attempt) {
    super("worker " + workerId + " no longer holds the lease of job " + jobId + " (attempt " + attempt + ")");
    this.jobId = jobId;
    this.workerId = workerId;
  }

  /** {@return the job} */
  public UUID jobId() {
    return jobId;
  }

  /** {@return the worker whose lease was lost} */
  public String workerId() {
    return workerId;
  }

  @Override
  public String code() {
    return "lease_lost";
  }
}
