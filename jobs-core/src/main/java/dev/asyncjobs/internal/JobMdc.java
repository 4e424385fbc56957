package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * Puts {@code jobId} and {@code jobType} into the logging MDC for the duration of a block, so that
 * every line logged about a job (by the worker or by the generator) can be filtered by job.
 */
final class JobMdc implements AutoCloseable {
  static final String JOB_ID = "jobId";
  static final String JOB_TYPE = "jobType";

  private final MDCAdapter mdc;

  private JobMdc(MDCAdapter mdc) {
    this.mdc = mdc;
  }

  /** Sets the keys in the binding's MDC until {@link #close()}. */
  static JobMdc of(Job job) {
    return of(job, MDC.getMDCAdapter());
  }

  static JobMdc of(Job job, MDCAdapter mdc) {
    mdc.put(JOB_ID, job.id().toString());
    mdc.put(JOB_TYPE, job.type());
    return new JobMdc(mdc);
  }

  @Override
  public void close() {
    mdc.remove(JOB_ID);
    mdc.remove(JOB_TYPE);
  }
}
