package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import org.slf4j.MDC;

/** Puts {@code jobId} and {@code jobType} into the logging MDC for the duration of a block. */
final class JobMdc implements AutoCloseable {
  static final String JOB_ID = "jobId";
  static final String JOB_TYPE = "jobType";

  private JobMdc() {}

  static JobMdc of(Job job) {
    MDC.put(JOB_ID, job.id().toString());
    MDC.put(JOB_TYPE, job.type());
    return new JobMdc();
  }

  @Override
  public void close() {
    MDC.remove(JOB_ID);
    MDC.remove(JOB_TYPE);
  }
}
