package dev.asyncjobs;

import java.util.List;

/**
 * Sees every create of a {@link JobManager}, for integrations (tracing, metrics): register one with
 * {@link JobManager.Builder#interceptor}. Runs on the creating thread; both methods must be quick
 * and should not throw (an exception from {@link #beforeCreate} refuses the create, one from {@link
 * #afterCreate} reaches the caller although the jobs are stored).
 */
public interface CreateInterceptor {

  /**
   * Called with each request before it is checked; returns the request to create in its place,
   * typically the same one with {@linkplain JobRequest.Builder#metadata metadata} added (the
   * tracing module adds the caller's trace context here). The default returns it unchanged.
   *
   * @param request the caller's request
   * @return the request to create
   */
  default JobRequest beforeCreate(JobRequest request) {
    return request;
  }

  /**
   * Called after the store accepted a create, with the jobs it newly stored (not the earlier jobs an
   * idempotent replay returned). For a create that joined the caller's transaction this runs before
   * that transaction commits, and the jobs disappear if it rolls back.
   *
   * @param created the new jobs, PENDING, in the order of the requests
   */
  default void afterCreate(List<Job> created) {}
}
