package dev.asyncjobs;

import java.util.UUID;

/** Thrown inside a generator by {@link JobContext} when its job was cancelled; the worker ends the job CANCELLED. */
public class JobCancelledException extends JobException {
  private static final long serialVersionUID = 1L;

  /**
   * Job {@code jobId} was cancelled.
   *
   * @param jobId the job
   */
  public JobCancelledException(UUID jobId) {
    super("job " + jobId + " was cancelled");
  }

  @Override
  public String code() {
    return "cancelled";
  }
}
