package dev.asyncjobs.store.postgres.internal;

/**
 * How the store's own statements append their events to the log: in the same statement as the
 * change, as a data-modifying CTE over the changed rows, which costs a fraction of what the
 * triggers of V4__event_log.sql cost (no transition tables, no join of old and new rows, no
 * procedure call). Such a statement first sets {@code asyncjobs.log} to {@code statement} for its
 * transaction, so that the triggers, which log every other writer's changes (plain SQL, the SQL
 * functions, a role without the right to write the log), skip its rows.
 */
final class EventAppends {
  /**
   * A condition that is always true and, evaluated once before the first row changes (an
   * uncommitted scalar subquery is an init plan), tells the log triggers that this statement logs
   * its own rows.
   */
  static final String SKIP_TRIGGERS = "(SELECT set_config('asyncjobs.log', 'statement', true)) IS NOT NULL";

  /** The kind of a change that moved a job to the status of {@code c}: the triggers' rule. */
  static final String KIND_BY_STATUS =
      "CASE c.status WHEN 'PROCESSING' THEN 'STARTED' WHEN 'PENDING' THEN 'RETRY_SCHEDULED' ELSE c.status END";

  private EventAppends() {}

  /**
   * {@code update} ({@code UPDATE {jobs} AS j … WHERE … RETURNING {cols}}, the outer WHERE a plain
   * conjunction) with one event of {@code kind} (an expression over the changed row {@code c})
   * appended per changed row, returning the same columns.
   */
  static String update(SchemaNames names, String update, String kind) {
    String returning = " RETURNING {cols}";
    if (!update.endsWith(returning)) {
      throw new IllegalArgumentException("not an UPDATE … RETURNING {cols}: " + update);
    }
    String changes = update.substring(0, update.length() - returning.length()) + " AND " + SKIP_TRIGGERS + " RETURNING j.*";
    return JobRows.withColumns(names.sql(
        "WITH c AS (" + changes + "), e AS (" + insertFrom(names, "c", kind) + ") SELECT {cols} FROM c AS j"));
  }

  /** An INSERT into the log of one event of {@code kind} per row of {@code rows} (a CTE of job rows). */
  static String insertFrom(SchemaNames names, String rows, String kind) {
    return "INSERT INTO " + names.events() + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)"
        + " SELECT nextval('" + names.eventsSequence() + "'), c.id, c.owner_id, k.kind, c.type, c.status, c.progress,"
        + " left(CASE WHEN k.kind IN ('STARTED', 'PROGRESS') THEN c.progress_message"
        + " WHEN k.kind IN ('FAILED', 'RETRY_SCHEDULED') THEN c.error_message END, 1000),"
        + " c.attempts, CASE WHEN c.status = 'PENDING' THEN c.run_at END, c.updated_at"
        + " FROM " + rows + " AS c, LATERAL (SELECT " + kind + " AS kind) AS k";
  }

  /**
   * An INSERT into the log of the events of new jobs of {@code rows} (a CTE of inserted job rows,
   * bound to the insert's {@code :ids}): a CREATED event per job, as the PENDING job it was asked
   * as, and for a job inserted COMPLETED (a cached copy) a COMPLETED event after it; in request
   * order, as the log triggers (V13) and the memory store log them.
   */
  static String insertCreatedFrom(SchemaNames names, String rows) {
    return "INSERT INTO " + names.events() + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)"
        + " SELECT nextval('" + names.eventsSequence() + "'), e.id, e.owner_id, e.kind, e.type, e.status, e.progress, NULL,"
        + " e.attempts, e.run_at, e.updated_at"
        // The ORDER BY keeps the subquery from being pulled up: the sequence numbers are taken in its order.
        + " FROM (SELECT c.id, c.owner_id, k.kind, c.type,"
        + " CASE k.ord WHEN 1 THEN 'PENDING' ELSE c.status END AS status,"
        + " CASE k.ord WHEN 1 THEN 0 ELSE c.progress END AS progress, c.attempts,"
        + " CASE k.ord WHEN 1 THEN c.run_at END AS run_at, c.updated_at"
        + " FROM " + rows + " AS c JOIN unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS o(id, n) ON o.id = c.id"
        + " CROSS JOIN LATERAL (VALUES (1, 'CREATED'), (2, 'COMPLETED')) AS k(ord, kind)"
        + " WHERE k.ord = 1 OR c.status = 'COMPLETED'"
        + " ORDER BY o.n, k.ord) AS e";
  }
}
