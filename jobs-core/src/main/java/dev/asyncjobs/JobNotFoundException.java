package dev.asyncjobs;

import java.util.UUID;

/**
 * No such job for this owner (HTTP 404). A job of another owner answers exactly the same way, so
 * that ids cannot be probed.
 */
public class JobNotFoundException extends JobException {
  private static final long serialVersionUID = 1L;
  private final UUID jobId;

  /** Job {@code jobId} was not found. */
  public JobNotFoundException(UUID jobId) {
    super("job " + jobId + " not found");
    this.jobId = jobId;
  }

  /** The id asked for. */
  public UUID jobId() {
    return jobId;
  }

  @Override
  public String code() {
    return "not_found";
  }
}
