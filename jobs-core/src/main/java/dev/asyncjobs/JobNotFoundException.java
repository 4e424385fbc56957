package dev.asyncjobs;

import java.util.UUID;

/**
 * No such job for this owner (HTTP 404). A job of another owner answers exactly the same way, so
 * that ids cannot be probed.
 */
public class JobNotFoundException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The id asked for. */
  private final UUID jobId;

  /**
   * Job {@code jobId} was not found.
   *
   * @param jobId the id asked for
   */
  public JobNotFoundException(UUID jobId) {
    super("job " + jobId + " not found");
    this.jobId = jobId;
  }

  /** {@return the id asked for} */
  public UUID jobId() {
    return jobId;
  }

  @Override
  public String code() {
    return "not_found";
  }
}
