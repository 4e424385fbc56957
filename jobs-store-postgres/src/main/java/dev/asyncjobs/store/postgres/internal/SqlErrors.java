package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobStoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.jdbi.v3.core.ConnectionException;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Reads what a database failure means: whether it may be retried, and which typed {@link
 * JobException} it becomes. Bad input the schema refuses (a check constraint, malformed JSON)
 * becomes an {@link InvalidRequestException} naming the field; everything else a {@link
 * JobStoreException} with the SQL state.
 */
public final class SqlErrors {
  /** What kind of failure happened, as far as retrying is concerned. */
  public enum Kind {
    /** Opening a connection failed at once, so nothing ran: always safe to retry. */
    NO_CONNECTION,
    /** The connection broke while a statement ran: the outcome is unknown. */
    CONNECTION_LOST,
    /** The server rolled the transaction back (serialization failure, deadlock, a lost race on a unique key). */
    ROLLED_BACK,
    /** Anything else: retrying would fail the same way. */
    PERMANENT
  }

  /**
   * Check constraints of V1__jobs.sql (and V9) and the request field each one guards; and
   * usage_models, which jobs_usage_add (V11) raises for a sum of too many models.
   */
  private static final Map<String, String> CONSTRAINT_FIELDS =
      Map.ofEntries(
          Map.entry("priority_range", "priority"),
          Map.entry("progress_range", "progress"),
          Map.entry("attempts_range", "attempts"),
          Map.entry("max_attempts_range", "maxAttempts"),
          Map.entry("payload_object", "payload"),
          Map.entry("owner_id_length", "ownerId"),
          Map.entry("type_length", "type"),
          Map.entry("idempotency_key_length", "idempotencyKey"),
          Map.entry("status_valid", "status"),
          Map.entry("estimated_units_range", "estimatedUnits"),
          Map.entry("usage_models", "usage"));

  private SqlErrors() {}

  /** The SQL exception at the root of {@code e}, if any. */
  public static @Nullable SQLException sqlException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return (SQLException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The SQL state of {@code e}'s root SQL exception, if any. */
  public static @Nullable String sqlState(Throwable e) {
    SQLException sql = sqlException(e);
    return sql == null ? null : sql.getSQLState();
  }

  /** Classifies a failure for the retry decision. */
  public static Kind classify(Throwable e) {
    SQLException sql = sqlException(e);
    if (sql instanceof SQLTransientConnectionException) {
      // The pool already waited its whole connection timeout: waiting again would only multiply
      // the caller's wait while the database is down.
      return Kind.PERMANENT;
    }
    if (e instanceof ConnectionException) {
      return Kind.NO_CONNECTION;
    }
    String state = sql == null ? null : sql.getSQLState();
    if (state == null) {
      return Kind.PERMANENT;
    }
    if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
      return Kind.CONNECTION_LOST;
    }
    if (state.equals("40001") || state.equals("40P01")) {
      return Kind.ROLLED_BACK;
    }
    // Two creates racing for one idempotency key: the loser's transaction is gone, and a retry
    // finds the winner's job.
    if (isIdempotencyRace(e)) {
      return Kind.ROLLED_BACK;
    }
    return Kind.PERMANENT;
  }

  /**
   * Whether {@code e} is a create that lost a race for an idempotency key: another transaction
   * inserted a job with the same owner and key first, and committed while this one waited.
   */
  public static boolean isIdempotencyRace(Throwable e) {
    SQLException sql = sqlException(e);
    return sql != null && "23505".equals(sql.getSQLState())
        && String.valueOf(constraint(sql)).endsWith("jobs_owner_idempotency_key_idx");
  }

  /**
   * The typed exception for a failure of {@code operation}.
   *
   * @param jsonField the request field that a malformed JSON value came from in this operation
   *     ({@code payload}, {@code result}), or null when the operation sends no JSON
   */
  public static JobException translate(Throwable e, String operation, @Nullable String jsonField) {
    if (e instanceof JobException) {
      return (JobException) e;
    }
    SQLException sql = sqlException(e);
    String state = sql == null ? null : sql.getSQLState();
    String serverMessage = sql == null ? String.valueOf(e.getMessage()) : firstLine(sql.getMessage());
    if ("23514".equals(state)) {
      String field = CONSTRAINT_FIELDS.get(String.valueOf(constraint(sql)));
      if (field != null) {
        return invalid(field, field + " is out of range (" + serverMessage + ")");
      }
    }
    if ("23505".equals(state) && String.valueOf(constraint(sql)).endsWith("jobs_pkey")) {
      return new InvalidRequestException("id", "a job with this id already exists (" + detail(sql) + ")");
    }
    if (state != null && state.startsWith("22")) {
      String field = jsonField != null && state.equals("22P02") ? jsonField : "request";
      return invalid(field, "the database refused a value of " + field + ": " + serverMessage);
    }
    return new JobStoreException(
        "PostgreSQL job store: " + operation + " failed: " + serverMessage + (state == null ? "" : " (SQL state " + state + ")"),
        state,
        e);
  }

  private static InvalidRequestException invalid(String field, String message) {
    return field.equals("payload") ? new InvalidPayloadException(field, message) : new InvalidRequestException(field, message);
  }

  private static @Nullable String constraint(@Nullable SQLException sql) {
    ServerErrorMessage m = sql instanceof PSQLException ? ((PSQLException) sql).getServerErrorMessage() : null;
    return m == null ? null : m.getConstraint();
  }

  private static String detail(@Nullable SQLException sql) {
    ServerErrorMessage m = sql instanceof PSQLException ? ((PSQLException) sql).getServerErrorMessage() : null;
    return m == null || m.getDetail() == null ? "duplicate key" : m.getDetail();
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
