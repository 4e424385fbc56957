package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Appends attempts' partial output to the event log (V8__partial_output.sql) in one statement,
 * one attempt or many: a CTE locks the job rows under their leases, which fences the write against
 * a rescue or a completion of another attempt and gives the transaction its id before any sequence
 * number is taken (the log's settling relies on that: the rows are sorted after the lock, and
 * PostgreSQL evaluates the volatile {@code nextval} of the target list after the sort); then one
 * event per chunk, each job's in order. A job with no row appended had lost its lease. The job rows
 * themselves do not change.
 */
public final class OutputWrites {
  private final String appendAllSql;

  /** The statements on {@code names}' tables. */
  public OutputWrites(SchemaNames names) {
    // Many attempts at once: the leased rows locked in id order (the order every batch of ours
    // locks in), then every chunk of every held job in the order given.
    this.appendAllSql = names.sql(
        "WITH held AS (SELECT j.id, j.owner_id, j.type, j.status, j.progress, j.attempts FROM {jobs} AS j"
            + " JOIN unnest(CAST(:leaseIds AS uuid[]), CAST(:leaseWorkers AS text[]), CAST(:leaseAttempts AS int[]))"
            + " AS l(id, worker, attempt) ON j.id = l.id AND j.worker_id = l.worker AND j.attempts = l.attempt"
            + " WHERE j.status = 'PROCESSING' ORDER BY j.id FOR NO KEY UPDATE OF j),"
            + " appended AS (INSERT INTO {events}"
            + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at, data)"
            + " SELECT nextval('" + names.eventsSequence() + "'), h.id, h.owner_id, c.kind, h.type, h.status, h.progress,"
            + " NULL, h.attempts, NULL, :now, c.data"
            + " FROM held AS h JOIN unnest(CAST(:jobs AS uuid[]), CAST(:kinds AS text[]), CAST(:datas AS text[]))"
            + " WITH ORDINALITY AS c(job_id, kind, data, ord) ON c.job_id = h.id"
            + " ORDER BY c.ord RETURNING job_id)"
            + " SELECT DISTINCT job_id FROM appended");
  }

  /**
   * Appends the chunks of several attempts in one statement.
   *
   * @return the ids of the jobs whose lease was lost (nothing appended for them)
   */
  public Set<UUID> appendAll(Handle h, List<OutputAppend> appends, Instant now) {
    List<UUID> leaseIds = new ArrayList<>(appends.size());
    List<String> leaseWorkers = new ArrayList<>(appends.size());
    List<Integer> leaseAttempts = new ArrayList<>(appends.size());
    List<UUID> jobs = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    List<@Nullable String> datas = new ArrayList<>();
    for (OutputAppend a : appends) {
      leaseIds.add(a.lease().jobId());
      leaseWorkers.add(a.lease().workerId());
      leaseAttempts.add(a.lease().attempt());
      for (OutputChunk c : a.chunks()) {
        jobs.add(a.lease().jobId());
        kinds.add(c.kind().name());
        datas.add(c.eventData());
      }
    }
    Set<UUID> appended = new HashSet<>(h.createQuery(appendAllSql)
        .bind("leaseIds", Binds.array("uuid", leaseIds)).bind("leaseWorkers", Binds.array("text", leaseWorkers))
        .bind("leaseAttempts", Binds.array("int4", leaseAttempts)).bind("now", Binds.instant(now))
        .bind("jobs", Binds.array("uuid", jobs)).bind("kinds", Binds.array("text", kinds)).bind("datas", Binds.array("text", datas))
        .mapTo(UUID.class).list());
    Set<UUID> lost = new HashSet<>(leaseIds);
    lost.removeAll(appended);
    return lost;
  }

}
