package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * What operators change and count (JobAdmin, StoreCapability.ADMIN): retry and delete, each one
 * conditional statement (a second query says why when it matched nothing), and finished jobs
 * counted by type and time bucket through the partial index of finish times.
 */
public final class AdminWrites {
  private final String retrySql;
  private final String deleteSql;
  private final String findSql;
  private final String finishedCountsSql;

  /** The statements on {@code names}' jobs table, on the tables' owner (which logs in the statement). */
  public AdminWrites(SchemaNames names) {
    this.retrySql = EventAppends.update(names,
        "UPDATE {jobs} AS j SET status = 'PENDING', run_at = :now, updated_at = :now, finished_at = NULL, result = NULL,"
            + " progress = 0, progress_message = NULL, cancel_requested = false, cached_from = NULL,"
            + " max_attempts = greatest(j.max_attempts, j.attempts + 1)"
            + " WHERE j.id = :id AND j.status IN ('FAILED', 'CANCELLED')"
            + " RETURNING {cols}",
        "'RETRY_SCHEDULED'");
    this.deleteSql = JobRows.withColumns(names.sql(
        "DELETE FROM {jobs} AS j WHERE j.id = :id AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED') RETURNING {cols}"));
    this.findSql = JobRows.withColumns(names.sql("SELECT {cols} FROM {jobs} AS j WHERE j.id = :id"));
    // Bucket numbers rather than date_bin (PostgreSQL 14+): the store supports 12.
    this.finishedCountsSql = names.sql(
        "SELECT j.type, floor(extract(epoch FROM (j.finished_at - :from)) * 1000000 / :width)::bigint AS b,"
            + " count(*) FILTER (WHERE j.status = 'COMPLETED'), count(*) FILTER (WHERE j.status = 'FAILED'),"
            + " count(*) FILTER (WHERE j.status = 'CANCELLED')"
            + " FROM {jobs} AS j WHERE j.finished_at >= :from AND j.finished_at < :to"
            + " AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED')"
            + " GROUP BY j.type, b ORDER BY j.type, b");
  }

  /** Puts a FAILED or CANCELLED job back to PENDING (see JobStore.retry). */
  public Job retry(Handle h, UUID jobId, Instant now) {
    return h.createQuery(retrySql).bind("id", jobId).bind("now", Binds.instant(now)).map(JobRows.MAPPER).findOne()
        .orElseThrow(() -> refused(h, jobId, "retry"));
  }

  /** Deletes a finished job (see JobStore.delete). */
  public Job delete(Handle h, UUID jobId) {
    return h.createQuery(deleteSql).bind("id", jobId).map(JobRows.MAPPER).findOne().orElseThrow(() -> refused(h, jobId, "delete"));
  }

  private RuntimeException refused(Handle h, UUID jobId, String operation) {
    Job current = h.createQuery(findSql).bind("id", jobId).map(JobRows.MAPPER).findOne().orElse(null);
    return current == null ? new JobNotFoundException(jobId) : new IllegalJobStateException(jobId, current.status(), operation);
  }

  /** Finished jobs in {@code [from, to)} by type and bucket (see JobStore.finishedCounts). */
  public List<FinishedCount> finishedCounts(Handle h, Instant from, Instant to, Duration bucket) {
    long widthMicros = bucket.toNanos() / 1000;
    if (widthMicros <= 0) {
      throw new IllegalArgumentException("bucket must be at least a microsecond, was " + bucket);
    }
    return h.createQuery(finishedCountsSql)
        .bind("from", Binds.instant(from)).bind("to", Binds.instant(to)).bind("width", widthMicros)
        .map((rs, ctx) -> new FinishedCount(rs.getString(1), from.plus(bucket.multipliedBy(rs.getLong(2))),
            rs.getLong(3), rs.getLong(4), rs.getLong(5)))
        .list();
  }
}
