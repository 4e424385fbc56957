package dev.asyncjobs.micrometer.internal;

/** The per-type counters: each names one thing this process did to a job. */
public enum Counted {
  /**
   * Named {@code submitted}, not {@code created}: the Prometheus registry drops a {@code _created}
   * suffix (reserved for a counter's creation time), so {@code asyncjobs.jobs.created} would be
   * exposed as {@code asyncjobs_jobs_total}.
   */
  CREATED("submitted", "Jobs this process created (new jobs, not idempotent replays)"),
  STARTED("started", "Attempts this process's workers started"),
  COMPLETED("completed", "Jobs this process's workers completed"),
  FAILED("failed", "Jobs this process's workers failed for good (last attempt failed, or rescued with no attempt left)"),
  RETRIED("retried", "Failed attempts this process's workers scheduled for a retry"),
  CANCELLED("cancelled", "Running jobs this process's workers ended CANCELLED at their owner's request"),
  TIMED_OUT("timed.out", "Attempts this process's workers interrupted at their timeout"),
  RESCUED("rescued", "Jobs this process's workers rescued from an expired lease"),
  LEASE_LOST("lease.lost", "Attempts this process's workers stopped because their lease was lost"),
  RELEASED("released", "Jobs this process's workers held (running, or claimed and not started) and gave back at shutdown"),
  RATE_LIMITED("rate.limited", "Attempts on this process's workers that a provider refused as rate limited (a 429), backing off its resources");

  private final String meterName;
  private final String description;

  Counted(String suffix, String description) {
    this.meterName = "asyncjobs.jobs." + suffix;
    this.description = description;
  }

  /** {@return the Micrometer name, e.g. {@code asyncjobs.jobs.completed}} */
  public String meterName() {
    return meterName;
  }

  /** {@return the help text} */
  public String description() {
    return description;
  }
}
