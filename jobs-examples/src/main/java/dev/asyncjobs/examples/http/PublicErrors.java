package dev.asyncjobs.examples.http;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import org.jspecify.annotations.Nullable;

/**
 * What a tenant is told about a failed attempt. The error a job keeps is for operators: it can
 * name the provider's URL, a setting, the account's billing state, an exception class or a
 * database message. Tenants get a fixed sentence instead, and the job id is the reference an
 * operator looks the stored error (and the worker's log) up by.
 */
final class PublicErrors {
  static final String FAILED = "the generation failed; the operators can look up why by the job id";
  static final String RETRYING = "an attempt failed; the job will be tried again";

  private PublicErrors() {}

  /** The {@code error} of a job's view: null when the job has no error. */
  static @Nullable String of(Job job) {
    if (job.errorMessage() == null) {
      return null;
    }
    return job.status() == JobStatus.FAILED ? FAILED : RETRYING;
  }

  /** The {@code message} of an event: a progress message as the generator wrote it, an error never. */
  static @Nullable String of(JobEvent event) {
    return switch (event.kind()) {
      case FAILED -> FAILED;
      case RETRY_SCHEDULED -> RETRYING;
      default -> event.message();
    };
  }
}
