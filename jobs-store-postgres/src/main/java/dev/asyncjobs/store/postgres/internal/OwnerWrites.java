package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.OwnerProgress;
import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The writes an owner makes through the API: cancel and progress updates. Each is one conditional
 * statement; only when it matches nothing does a second query find out why (unknown id or another
 * owner's job, a final job, progress going backwards).
 */
public final class OwnerWrites {
  private static final int MAX_RACES = 3;

  private final String cancelSql;
  private final String progressSql;
  private final String stateSql;

  /**
   * The statements on {@code names}' jobs table.
   *
   * @param logInStatement whether the statements append their events themselves (the tables'
   *     owner may); otherwise the log triggers do (a role under row-level security may not write
   *     the log)
   */
  public OwnerWrites(SchemaNames names, boolean logInStatement) {
    String cancel =
        "UPDATE {jobs} AS j SET"
            + " status = CASE WHEN j.status = 'PENDING' THEN 'CANCELLED' ELSE j.status END,"
            + " finished_at = CASE WHEN j.status = 'PENDING' THEN :now ELSE j.finished_at END,"
            + " cancel_requested = (j.cancel_requested OR j.status = 'PROCESSING'), updated_at = :now"
            + " WHERE j.id = :id AND j.owner_id = :owner"
            + " AND (j.status = 'PENDING' OR (j.status = 'PROCESSING' AND NOT j.cancel_requested))"
            + " RETURNING {cols}";
    String progress =
        "UPDATE {jobs} AS j SET progress = :progress, progress_message = :message, updated_at = :now"
            + " WHERE j.id = :id AND j.owner_id = :owner AND j.status = 'PROCESSING' AND j.progress <= :progress"
            + " RETURNING {cols}";
    if (logInStatement) {
      cancelSql = EventAppends.update(names, cancel,
          "CASE WHEN c.status = 'CANCELLED' THEN 'CANCELLED' ELSE 'CANCEL_REQUESTED' END");
      progressSql = EventAppends.update(names, progress, "'PROGRESS'");
    } else {
      cancelSql = JobRows.withColumns(names.sql(cancel));
      progressSql = JobRows.withColumns(names.sql(progress));
    }
    stateSql = JobRows.withColumns(names.sql("SELECT {cols} FROM {jobs} AS j WHERE j.id = :id AND j.owner_id = :owner"));
  }

  /** Cancels: PENDING at once, PROCESSING flagged; a second cancel of a flagged job changes nothing. */
  public Job cancel(Handle h, UUID jobId, String ownerId, Instant now) {
    for (int race = 0; ; race++) {
      Job changed =
          h.createQuery(cancelSql).bind("id", jobId).bind("owner", ownerId).bind("now", Binds.instant(now))
              .map(JobRows.MAPPER).findOne().orElse(null);
      if (changed != null) {
        return changed;
      }
      Job current = current(h, jobId, ownerId);
      if (current.status().isFinal()) {
        throw new IllegalJobStateException(jobId, current.status(), "cancel");
      }
      if (current.cancelRequested() || race >= MAX_RACES) {
        return current;
      }
      // It moved between the two statements (released, claimed): try again on its new state.
    }
  }

  /** Sets the progress of the owner's PROCESSING job. */
  public Job updateProgress(Handle h, OwnerProgress update, Instant now) {
    UUID jobId = update.jobId();
    String ownerId = update.ownerId();
    int progress = update.progress();
    Job changed =
        h.createQuery(progressSql).bind("id", jobId).bind("owner", ownerId).bind("now", Binds.instant(now))
            .bind("progress", progress).bind("message", update.message())
            .map(JobRows.MAPPER).findOne().orElse(null);
    if (changed != null) {
      return changed;
    }
    Job current = current(h, jobId, ownerId);
    if (current.status() != JobStatus.PROCESSING) {
      throw new IllegalJobStateException(jobId, current.status(), "update the progress of");
    }
    throw new InvalidRequestException(
        "progress", "progress must not go backwards: it is " + current.progress() + ", was given " + progress);
  }

  private Job current(Handle h, UUID jobId, String ownerId) {
    return h.createQuery(stateSql).bind("id", jobId).bind("owner", ownerId).map(JobRows.MAPPER).findOne()
        .orElseThrow(() -> new JobNotFoundException(jobId));
  }
}
