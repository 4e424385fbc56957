package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * Runs a block with {@code jobId} and {@code jobType} in the logging MDC, so that every line logged
 * about a job (by the worker or by its generator) can be filtered by job.
 */
final class JobMdc {
  static final String JOB_ID = "jobId";
  static final String JOB_TYPE = "jobType";

  private JobMdc() {}

  /** Runs {@code body} with the job in the binding's MDC. */
  static void run(Job job, Runnable body) {
    run(job, MDC.getMDCAdapter(), body);
  }

  static void run(Job job, MDCAdapter mdc, Runnable body) {
    mdc.put(JOB_ID, job.id().toString());
    mdc.put(JOB_TYPE, job.type());
    try {
      body.run();
    } finally {
      mdc.remove(JOB_ID);
      mdc.remove(JOB_TYPE);
    }
  }
}
