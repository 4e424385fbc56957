package dev.asyncjobs;

import java.util.UUID;

/** The job's status does not allow the operation, e.g. cancelling a finished job (HTTP 409). */
public class IllegalJobStateException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The job. */
  private final UUID jobId;
  /** Its status when the operation was refused. */
  private final JobStatus status;

  /**
   * {@code operation} is not allowed on job {@code jobId} while it is {@code status}.
   *
   * @param jobId the job
   * @param status its status
   * @param operation what was refused, e.g. {@code cancel}
   */
  public IllegalJobStateException(UUID jobId, JobStatus status, String operation) {
    super("cannot " + operation + " job " + jobId + ": it is " + status);
    this.jobId = jobId;
    this.status = status;
  }

  /** {@return the job} */
  public UUID jobId() {
    return jobId;
  }

  /** {@return its status when the operation was refused} */
  public JobStatus status() {
    return status;
  }

  @Override
  public String code() {
    return "illegal_state";
  }
}
