package dev.asyncjobs.micrometer.internal;

import java.util.Locale;

/** The {@code outcome} tag of {@code asyncjobs.attempt.duration}. */
public enum AttemptOutcome {
  /** The attempt produced the result. */
  COMPLETED,
  /** The attempt failed and the job failed for good. */
  FAILED,
  /** The attempt failed and the job will run again. */
  RETRIED,
  /** The attempt ended CANCELLED at the owner's request. */
  CANCELLED,
  /** The attempt ran past its timeout (the job is then retried or failed). */
  TIMED_OUT;

  /** {@return the tag value: the constant's name in lower case, e.g. {@code timed_out}} */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
