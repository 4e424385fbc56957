package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Appends an attempt's partial output to the event log (V8__partial_output.sql) in one statement:
 * a CTE locks the job row under the lease, which fences the write against a rescue or a completion
 * of another attempt and gives the transaction its id before any sequence number is taken (the
 * log's settling relies on that: the rows are sorted after the lock, and PostgreSQL evaluates the
 * volatile {@code nextval} of the target list after the sort); then one event per chunk, in order.
 * No row appended means the lease was gone. The job row itself does not change.
 */
public final class OutputWrites {
  private final String appendSql;

  /** The statements on {@code names}' tables. */
  public OutputWrites(SchemaNames names) {
    this.appendSql = names.sql(
        "WITH held AS (SELECT j.id, j.owner_id, j.type, j.status, j.progress, j.attempts FROM {jobs} AS j"
            + " WHERE j.id = :id AND j.worker_id = :worker AND j.attempts = :attempt AND j.status = 'PROCESSING'"
            + " FOR NO KEY UPDATE)"
            + " INSERT INTO {events} (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at, data)"
            + " SELECT nextval('" + names.eventsSequence() + "'), h.id, h.owner_id, c.kind, h.type, h.status, h.progress,"
            + " NULL, h.attempts, NULL, :now, c.data"
            + " FROM held AS h, unnest(CAST(:kinds AS text[]), CAST(:datas AS text[])) WITH ORDINALITY AS c(kind, data, ord)"
            + " ORDER BY c.ord");
  }

  /**
   * Appends the chunks.
   *
   * @throws LeaseLostException the lease is gone; nothing written
   */
  public void append(Handle h, OutputAppend append, Instant now) {
    Lease lease = append.lease();
    List<String> kinds = new ArrayList<>(append.chunks().size());
    List<@Nullable String> datas = new ArrayList<>(append.chunks().size());
    for (OutputChunk c : append.chunks()) {
      kinds.add(c.kind().name());
      datas.add(c.kind() == JobEvent.Kind.OUTPUT_RESTARTED ? null : c.data());
    }
    int appended = h.createUpdate(appendSql).bind("id", lease.jobId()).bind("worker", lease.workerId())
        .bind("attempt", lease.attempt()).bind("now", Binds.instant(now))
        .bind("kinds", Binds.array("text", kinds)).bind("datas", Binds.array("text", datas)).execute();
    if (appended == 0) {
      throw new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
    }
  }
}
