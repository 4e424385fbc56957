package dev.asyncjobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a job's current attempt has streamed so far ({@link JobContext#appendText}, {@link
 * JobContext#emitPart}), read from the event log by {@link JobManager#output}: for clients that
 * cannot keep a stream open. Only the latest attempt's output counts; a retried attempt starts
 * afresh. {@link #lastSequence()} is where to resume the owner's event stream so that nothing of
 * this job is missed or seen twice.
 */
public final class JobOutput {
  private final UUID jobId;
  private final JobStatus status;
  private final int attempt;
  private final String text;
  private final List<JsonNode> parts;
  private final long lastSequence;
  private final boolean truncated;

  JobOutput(UUID jobId, JobStatus status, int attempt, String text, List<JsonNode> parts, long lastSequence, boolean truncated) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.status = Objects.requireNonNull(status, "status");
    this.attempt = attempt;
    this.text = Objects.requireNonNull(text, "text");
    this.parts = List.copyOf(parts);
    this.lastSequence = lastSequence;
    this.truncated = truncated;
  }

  /** {@return the job} */
  public UUID jobId() {
    return jobId;
  }

  /** {@return the job's status when the output was read} */
  public JobStatus status() {
    return status;
  }

  /** {@return the attempt whose output this is; 0 when nothing was streamed} */
  public int attempt() {
    return attempt;
  }

  /** {@return the text streamed so far, the deltas joined in order; empty when none} */
  public String text() {
    return text;
  }

  /** {@return the parts streamed so far, in order} */
  public List<JsonNode> parts() {
    return parts;
  }

  /** {@return the sequence of the job's last event read: resume the event stream after it} */
  public long lastSequence() {
    return lastSequence;
  }

  /**
   * {@return whether the log no longer held the beginning of the job's events (older than the
   * event retention), so that the text and parts may lack their start}
   */
  public boolean truncated() {
    return truncated;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof JobOutput o
        && jobId.equals(o.jobId) && status == o.status && attempt == o.attempt && text.equals(o.text)
        && parts.equals(o.parts) && lastSequence == o.lastSequence && truncated == o.truncated;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, status, attempt, text, parts, lastSequence, truncated);
  }

  @Override
  public String toString() {
    return "JobOutput[job " + jobId + ", " + status + ", attempt " + attempt + ", " + text.length() + " chars, "
        + parts.size() + " parts, through " + lastSequence + (truncated ? ", truncated" : "") + "]";
  }
}
