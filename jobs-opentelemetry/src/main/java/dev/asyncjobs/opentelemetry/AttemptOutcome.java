package dev.asyncjobs.opentelemetry;

/**
 * How an attempt ended, as its span's {@link JobSpans#JOB_OUTCOME} attribute says. The outcomes
 * marked "error" set the span's status to ERROR.
 */
public enum AttemptOutcome {
  /** The result was written; the job is COMPLETED. */
  COMPLETED("completed", false),
  /** The attempt failed and the job failed for good (permanent failure, or no attempt left): error. */
  FAILED("failed", true),
  /** The attempt failed and the job will run again (see {@link JobSpans#RETRY_SCHEDULED_EVENT}): error. */
  RETRY_SCHEDULED("retry_scheduled", true),
  /** The owner cancelled the job; it ended CANCELLED. */
  CANCELLED("cancelled", false),
  /**
   * The attempt ran past its timeout (see {@link JobSpans#TIMED_OUT_EVENT}); whether the job runs
   * again is told by a {@link JobSpans#RETRY_SCHEDULED_EVENT} on the span: error.
   */
  TIMED_OUT("timed_out", true),
  /**
   * The worker lost the job's lease (another worker rescued it, or heartbeats failed for longer
   * than the lease); nothing of this attempt was written: error.
   */
  LEASE_LOST("lease_lost", true),
  /** The worker shut down and gave the job back without counting the attempt. */
  RELEASED("released", false),
  /**
   * The store refused to write the outcome (an outage); the lease will expire and a worker will
   * rescue the job: error, with the store's exception.
   */
  NOT_RECORDED("not_recorded", true);

  private final String value;
  private final boolean error;

  AttemptOutcome(String value, boolean error) {
    this.value = value;
    this.error = error;
  }

  /** {@return the attribute value, e.g. {@code retry_scheduled}} */
  public String value() {
    return value;
  }

  /** {@return whether the span of an attempt that ended so has status ERROR} */
  public boolean isError() {
    return error;
  }
}
