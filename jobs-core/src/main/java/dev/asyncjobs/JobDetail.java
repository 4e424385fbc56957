package dev.asyncjobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One job as an operator inspects it ({@link JobAdmin#detail}): the job and its events in log
 * order, from which its attempts and their errors are read.
 *
 * @param job the job as stored now
 * @param events its events still in the log, oldest first (streamed output left out)
 */
public record JobDetail(Job job, List<JobEvent> events) {
  /**
   * Copies the events.
   *
   * @param job the job
   * @param events its events, oldest first
   */
  public JobDetail {
    Objects.requireNonNull(job, "job");
    events = List.copyOf(events);
  }

  /**
   * What went wrong in one attempt.
   *
   * @param attempt the attempt's number, from 1
   * @param at when it ended
   * @param message the error, as kept on the job
   * @param gaveUp whether the job failed for good with it (otherwise a retry was scheduled)
   */
  public record AttemptError(int attempt, Instant at, @Nullable String message, boolean gaveUp) {}

  /**
   * {@return the errors of the attempts that failed, oldest first, one per attempt, from the
   * events} An operator's retry logs a RETRY_SCHEDULED event of the attempt that failed last, which
   * is not counted again.
   */
  public List<AttemptError> attemptErrors() {
    List<AttemptError> errors = new ArrayList<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (JobEvent e : events) {
      boolean failed = e.kind() == JobEvent.Kind.FAILED;
      if ((failed || e.kind() == JobEvent.Kind.RETRY_SCHEDULED) && e.message() != null && seen.add(e.attempt())) {
        errors.add(new AttemptError(e.attempt(), e.at(), e.message(), failed));
      }
    }
    return errors;
  }
}
