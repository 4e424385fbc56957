package dev.asyncjobs.reliability.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.child.WorkerMain;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The evidence a cross-process run leaves in its schema, and the checks on it: every execution of
 * {@link RecordingGenerator} (table {@code executions}), the lease losses and rescues workers
 * reported ({@code worker_notes}), and, through a trigger on the jobs table, every write of a
 * result and every change to COMPLETED ({@code result_writes}).
 */
public final class ExecutionLedger {
  /** An execution whose result did not win: the job ran again (at-least-once). */
  public record Extra(String workerId, String jobId, int attempt) {}

  private final Schema schema;

  private ExecutionLedger(Schema schema) {
    this.schema = schema;
  }

  /** Creates the side tables and the trigger; run after the store migrated the schema. */
  public static ExecutionLedger install(Schema schema) {
    String s = schema.name();
    schema.execute(
        RecordingGenerator.executionsTableDdl(s),
        WorkerMain.notesTableDdl(s),
        "CREATE TABLE " + s + ".result_writes (job_id uuid NOT NULL, old_status text NOT NULL, new_status text NOT NULL,"
            + " result jsonb, at timestamptz NOT NULL DEFAULT clock_timestamp())",
        "CREATE FUNCTION " + s + ".log_result_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO " + s + ".result_writes (job_id, old_status, new_status, result)"
            + " VALUES (NEW.id, OLD.status, NEW.status, NEW.result); RETURN NULL; END $$",
        "CREATE TRIGGER log_result_write AFTER UPDATE ON " + s + ".jobs FOR EACH ROW"
            + " WHEN (NEW.result IS DISTINCT FROM OLD.result"
            + " OR (NEW.status = 'COMPLETED' AND OLD.status IS DISTINCT FROM 'COMPLETED'))"
            + " EXECUTE FUNCTION " + s + ".log_result_write()");
    return new ExecutionLedger(schema);
  }

  /** Jobs by status. */
  public Map<String, Long> statusCounts() {
    return schema.rows("SELECT status, count(*) FROM " + schema.table("jobs") + " GROUP BY status").stream()
        .collect(Collectors.toMap(r -> r.get(0), r -> Long.parseLong(r.get(1))));
  }

  /** COMPLETED jobs. */
  public long completed() {
    return schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'");
  }

  /** COMPLETED jobs; -1 while the database cannot be read (away, or the test's pool replacing connections). */
  public long completedIfReadable() {
    try {
      return completed();
    } catch (IllegalStateException unreadable) {
      return -1;
    }
  }

  /**
   * Waits until {@code n} jobs are COMPLETED, reading through outages, for at least {@code wait}
   * and more for big runs (20 jobs a second is far below what the tests' workers do).
   */
  public void awaitCompleted(long n, java.time.Duration wait) {
    java.time.Duration atMost = java.time.Duration.ofSeconds(Math.max(wait.toSeconds(), n / 20));
    dev.asyncjobs.testing.Waits.until(n + " jobs completed", atMost, () -> completedIfReadable() >= n,
        () -> completedIfReadable() + " completed");
  }

  /**
   * Checks that all {@code jobCount} jobs are COMPLETED (none PROCESSING or anything else), that
   * each had its result written exactly once, by the change from PROCESSING to COMPLETED, that the
   * result is the one its last attempt's execution returned, and that no attempt number ran twice.
   */
  public void assertEveryJobCompletedOnceByItsLastAttempt(long jobCount) {
    assertEveryJobCompletedOnceByItsLastAttempt(jobCount, false);
    assertThat(repeatedAttempts()).as("attempts executed twice").isEmpty();
  }

  /**
   * As {@link #assertEveryJobCompletedOnceByItsLastAttempt(long)}, but an attempt number may have
   * run twice: after a crash of the database itself, where a claim (committed without waiting for
   * its WAL flush) can be lost after its worker started the attempt; that worker's writes are then
   * refused, and the job's next claim hands out the same attempt number again.
   */
  public void assertEveryJobCompletedOnceByItsLastAttemptAllowingLostClaims(long jobCount) {
    assertEveryJobCompletedOnceByItsLastAttempt(jobCount, true);
  }

  /** {@return the attempts ({@code jobId/attempt}) executed more than once} */
  public List<String> repeatedAttempts() {
    return schema.column("SELECT job_id || '/' || attempt FROM " + schema.table("executions")
        + " GROUP BY job_id, attempt HAVING count(*) > 1");
  }

  private void assertEveryJobCompletedOnceByItsLastAttempt(long jobCount, boolean lostClaims) {
    assertThat(statusCounts()).as("every job COMPLETED, none PROCESSING").isEqualTo(Map.of("COMPLETED", jobCount));
    assertThat(schema.number("SELECT count(*) FROM " + schema.table("result_writes")))
        .as("result writes (trigger log)").isEqualTo(jobCount);
    assertThat(schema.number("SELECT count(DISTINCT job_id) FROM " + schema.table("result_writes")
        + " WHERE new_status = 'COMPLETED' AND old_status = 'PROCESSING'")).as("jobs with their one result write").isEqualTo(jobCount);
    assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " j LEFT JOIN " + schema.table("executions")
        + " e ON e.execution_id = (j.result->>'execution')::uuid AND e.job_id = j.id AND e.attempt = j.attempts"
        + " AND e.worker_id = j.result->>'worker' WHERE e.execution_id IS NULL"))
        .as("jobs whose result is not the result of their last attempt's execution").isZero();
  }

  /** Executions beyond the winning one of each job. */
  public List<Extra> extras() {
    return schema.rows("SELECT e.worker_id, e.job_id, e.attempt FROM " + schema.table("executions")
            + " e JOIN " + schema.table("jobs") + " j ON j.id = e.job_id WHERE e.execution_id <> (j.result->>'execution')::uuid")
        .stream().map(r -> new Extra(r.get(0), r.get(1), Integer.parseInt(r.get(2)))).collect(Collectors.toList());
  }

  /** Whether a worker reported losing the lease of this attempt. */
  public List<Extra> reportedLeaseLosses() {
    return schema.rows("SELECT worker_id, job_id, attempt FROM " + schema.table("worker_notes") + " WHERE kind = 'LEASE_LOST'")
        .stream().map(r -> new Extra(r.get(0), r.get(1), Integer.parseInt(r.get(2)))).collect(Collectors.toList());
  }

  /** Every execution. */
  public long executions() {
    return schema.number("SELECT count(*) FROM " + schema.table("executions"));
  }

  /** Jobs that live workers reported rescuing. */
  public long rescues() {
    return schema.number("SELECT count(*) FROM " + schema.table("worker_notes") + " WHERE kind = 'RESCUED'");
  }
}
