package dev.asyncjobs;

import java.util.UUID;

/**
 * A worker wrote to a job whose lease it no longer holds (rescued, cancelled, or claimed again).
 * The write was refused; the worker must abandon the attempt without further writes.
 */
public class LeaseLostException extends JobException {
  private static final long serialVersionUID = 1L;
  private final UUID jobId;
  private final String workerId;

  /** {@code workerId} lost the lease of {@code jobId}. */
  public LeaseLostException(UUID jobId, String workerId, int attempt) {
    super("worker " + workerId + " no longer holds the lease of job " + jobId + " (attempt " + attempt + ")");
    this.jobId = jobId;
    this.workerId = workerId;
  }

  /** The job. */
  public UUID jobId() {
    return jobId;
  }

  /** The worker whose lease was lost. */
  public String workerId() {
    return workerId;
  }

  @Override
  public String code() {
    return "lease_lost";
  }
}
