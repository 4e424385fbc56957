package dev.asyncjobs;

import dev.asyncjobs.internal.ManualRunner;
import java.util.List;
import java.util.Optional;

/**
 * Runs due jobs one at a time on the calling thread, for tests of applications that use
 * asyncjobs: no threads, no timing, the manager's clock decides what is due. Combine it with a
 * settable clock to step through retries and delayed jobs.
 *
 * <pre>{@code
 * ManualWorker worker = ManualWorker.of(jobs);
 * Job job = jobs.create(request);
 * assertThat(worker.runNext()).get().extracting(Job::status).isEqualTo(JobStatus.COMPLETED);
 * }</pre>
 *
 * <p>Made by {@link #of(JobManager)}, or by {@link JobWorker.Builder#buildManual()} to share a
 * real worker's retry policies, sleeper and random source. Cancellation is read from the store each
 * time the generator asks; attempt timeouts are reported as the deadline but not enforced.
 */
public final class ManualWorker {
  private final String workerId;
  private final ManualRunner runner;

  ManualWorker(String workerId, ManualRunner runner) {
    this.workerId = workerId;
    this.runner = runner;
  }

  /**
   * A manual worker with default settings and worker id {@code manual-worker}.
   *
   * @param manager the manager whose jobs it runs
   * @return the manual worker
   */
  public static ManualWorker of(JobManager manager) {
    return JobWorker.builder(manager).workerId("manual-worker").buildManual();
  }

  /**
   * Claims the next due job (priority order) and runs one attempt of it to the end.
   *
   * @return the job after that attempt (COMPLETED, FAILED, CANCELLED, or PENDING for a retry), or
   *     empty when no job is due
   */
  public Optional<Job> runNext() {
    return runner.runNext();
  }

  /**
   * Runs attempts until no job is due, including retries that become due at once.
   *
   * @return the job after each attempt, in order
   */
  public List<Job> runDue() {
    return runner.runDue();
  }

  /**
   * Rescues jobs whose lease expired by the manager's clock (as a real worker does periodically).
   *
   * @return the rescued jobs after the change
   */
  public List<Job> rescueExpired() {
    return runner.rescueExpired();
  }

  /** {@return the id this worker writes into leases} */
  public String workerId() {
    return workerId;
  }
}
