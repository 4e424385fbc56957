package dev.asyncjobs;

import java.time.Duration;

/**
 * Hears what a {@link JobWorker} or {@link ManualWorker} does, for metrics (counters, timers,
 * gauges). Every method has an empty default, so implement only what you count. Called on the
 * worker's threads: return quickly. An exception thrown here is logged and otherwise ignored.
 */
public interface WorkerListener {

  /**
   * An attempt starts on this worker; {@code job} is as claimed (PROCESSING).
   *
   * @param job the job as claimed
   */
  default void onStarted(Job job) {}

  /**
   * An attempt produced a result; {@code job} is COMPLETED and {@code duration} is its run time.
   *
   * @param job the job, COMPLETED
   * @param duration the attempt's run time
   */
  default void onCompleted(Job job, Duration duration) {}

  /**
   * An attempt failed and the job will run again after {@code delay}; {@code job} is PENDING again.
   * A timed-out attempt arrives here too, with a {@link RetryableGenerationException} saying so.
   *
   * @param job the job, PENDING again
   * @param error why the attempt failed
   * @param delay how long until the next attempt
   */
  default void onRetryScheduled(Job job, Throwable error, Duration delay) {}

  /**
   * A provider said "rate limited" ({@link RateLimitedException}): no worker on the store starts a
   * job under {@code names} before {@code until}. Called before the job's own outcome ({@link
   * #onRetryScheduled}, or {@link #onFailed} when it has no attempt left), on the attempt's thread.
   *
   * @param job the job whose attempt was refused, as claimed
   * @param names the resources (or the job's type) that back off
   * @param until when claims under them resume
   */
  default void onRateLimited(Job job, java.util.Set<String> names, java.time.Instant until) {}

  /**
   * The job failed for good (permanent failure or attempts used up); {@code job} is FAILED.
   *
   * @param job the job, FAILED
   * @param error the last attempt's failure
   */
  default void onFailed(Job job, Throwable error) {}

  /**
   * The job ended CANCELLED after its owner asked to cancel it.
   *
   * @param job the job, CANCELLED
   */
  default void onCancelled(Job job) {}

  /**
   * An attempt ran past its timeout and was interrupted; its failure is reported next.
   *
   * @param job the job
   * @param timeout the timeout it ran past
   */
  default void onTimedOut(Job job, Duration timeout) {}

  /**
   * This worker lost the lease of a running job (another worker rescued it, or heartbeats failed
   * for longer than the lease); the attempt was interrupted and nothing more was written.
   *
   * @param job the job as this worker last knew it
   */
  default void onLeaseLost(Job job) {}

  /**
   * A running job was given back at shutdown, without counting the attempt; {@code job} is PENDING.
   *
   * @param job the job, PENDING
   */
  default void onReleased(Job job) {}

  /**
   * This worker rescued a job whose worker stopped heartbeating; {@code job} is as rescued.
   *
   * @param job the job as rescued
   */
  default void onRescued(Job job) {}

  /**
   * The outcome of an attempt of {@code job} could not be written: the store refused the write with
   * an error other than a lost lease (an outage, say). Nothing more is reported for this attempt; its
   * lease expires and a worker rescues the job. A result (a success) that the store could not take
   * for a failure of its own ({@code JobStoreException}: an outage, a read-only database) is not given
   * up so soon: the worker keeps it and writes it again until the store takes it or another worker
   * has the job, reporting each refusal as {@link #onStoreError onStoreError("finish", error)}; this
   * is called for it only when the worker stops before it is written (the default then reports the
   * last refusal a second time). May be called on the worker's completion writer
   * thread, after the attempt's thread moved on. The default reports it as {@link #onStoreError
   * onStoreError("finish", error)}, so that a listener counting store errors needs nothing more;
   * implement this one to tell which attempt it was (tracing ends the attempt's span here).
   *
   * @param job the job as this worker last knew it (PROCESSING, with this attempt's number)
   * @param error the store's failure
   */
  default void onOutcomeNotRecorded(Job job, RuntimeException error) {
    onStoreError("finish", error);
  }

  /**
   * A store call failed ({@code operation} is e.g. {@code claim}, {@code heartbeat}); the worker goes on.
   *
   * @param operation the store call, e.g. {@code claim}
   * @param error the failure
   */
  default void onStoreError(String operation, RuntimeException error) {}
}
