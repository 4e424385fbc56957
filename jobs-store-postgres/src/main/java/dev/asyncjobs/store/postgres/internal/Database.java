package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Cleanable;
import org.jdbi.v3.core.statement.NoTemplateEngine;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's statements: on a pooled connection, in a transaction when the call needs one,
 * with the owner set for row-level security when the connection's role is subject to it, and
 * retried a bounded number of times when the failure is transient and retrying is safe. Every
 * other failure leaves as a typed {@link JobException}. Or, for an insert that joins the caller's
 * transaction, on the caller's connection inside a savepoint, never retried (see {@link
 * #inCallerTransaction}).
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final int MAX_ATTEMPTS = 3;
  private static final long BASE_BACKOFF_MILLIS = 20;

  /** The savepoint that an insert in the caller's transaction runs under. */
  static final String SAVEPOINT = "asyncjobs_insert";

  private final Jdbi jdbi;
  /** Handles on the caller's connection of {@link #inCallerTransaction}: closing one leaves the connection open. */
  private final Jdbi callerJdbi;
  private final ThreadLocal<Connection> callerConnection = new ThreadLocal<>();
  private volatile boolean scopeOwners;

  /** Statements on connections of {@code dataSource}. */
  public Database(javax.sql.DataSource dataSource) {
    this.jdbi = configured(Jdbi.create(dataSource));
    this.callerJdbi = configured(Jdbi.create(new ConnectionFactory() {
      @Override
      public Connection openConnection() throws SQLException {
        Connection c = callerConnection.get();
        if (c == null) {
          throw new SQLException("no caller's connection on this thread", "08003");
        }
        return c;
      }

      @Override
      public Cleanable getCleanableFor(Connection conn) {
        return () -> {}; // the caller's: it closes it
      }
    }));
  }

  private static Jdbi configured(Jdbi jdbi) {
    // Messages must not carry bound values: payloads may be private and large.
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.SHORT_STATEMENT);
    // The SQL is complete text built in Java: no template pass, and no chance that "<x>" in SQL is
    // read as a template attribute.
    jdbi.getConfig(SqlStatements.class).setTemplateEngine(new NoTemplateEngine());
    return jdbi;
  }

  /**
   * Whether owner-scoped calls set {@code asyncjobs.owner_id} in their transaction: needed only when
   * the store's role is subject to row-level security (a restricted web-tier role), so that the
   * table owner's calls save the round trip.
   */
  public void scopeOwners(boolean scope) {
    this.scopeOwners = scope;
  }

  /** Whether owner-scoped calls set the owner (see {@link #scopeOwners(boolean)}). */
  public boolean scopesOwners() {
    return scopeOwners;
  }

  /** Runs {@code work} as {@code call} describes; see the class comment. */
  public <T> T run(Call call, HandleCallback<T, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(call, work);
      } catch (JobException e) {
        throw e;
      } catch (RuntimeException e) {
        if (attempt >= MAX_ATTEMPTS || !retryable(call, SqlErrors.classify(e))) {
          throw SqlErrors.translate(e, call.name(), call.jsonField());
        }
        LOG.debug("{} failed with SQL state {}; retrying (attempt {} of {})",
            call.name(), SqlErrors.sqlState(e), attempt + 1, MAX_ATTEMPTS, e);
        pause(attempt, e, call);
      }
    }
  }

  private <T> T once(Call call, HandleCallback<T, RuntimeException> work) {
    boolean scoped = scopeOwners && call.owner() != null;
    if (!call.transaction() && !scoped) {
      return jdbi.withHandle(work);
    }
    return jdbi.inTransaction(
        h -> {
          if (scoped) {
            setOwner(h, call.owner());
          }
          return work.withHandle(h);
        });
  }

  /**
   * Runs {@code work} on {@code connection}, inside the transaction the caller has open there, under
   * a savepoint: when it fails (a refusal of the store, such as a quota, or any SQL error) the
   * savepoint is rolled back, so that everything it did is undone, its locks and transaction-local
   * settings included, and the caller's transaction stays usable. The connection's auto-commit,
   * transaction and lifetime are the caller's: this never commits, rolls back the transaction,
   * closes the connection or changes its auto-commit.
   *
   * <p>Nothing is retried in a transaction this store does not own: a failure that the store's own
   * calls would retry (a serialization failure, a deadlock, a lost connection) leaves as a {@link
   * JobStoreException} that tells the caller to retry its whole transaction. The one exception is
   * a lost race for an idempotency key: the savepoint is rolled back and {@code work} runs once
   * more, so that it finds the job the winner committed.
   *
   * @param connection the caller's connection, not in auto-commit (the caller checked)
   * @param call the operation, for messages
   * @param work what to run; it must not commit or roll back
   * @return what {@code work} returned
   * @throws InvalidRequestException the caller's transaction is aborted already (an earlier
   *     statement of the caller failed): field {@code transaction}
   */
  public <T> T inCallerTransaction(Connection connection, Call call, HandleCallback<T, RuntimeException> work) {
    for (int pass = 1; ; pass++) {
      try {
        return onceInCallerTransaction(connection, work);
      } catch (JobException e) {
        throw e;
      } catch (RuntimeException e) {
        if (pass == 1 && SqlErrors.isIdempotencyRace(e)) {
          // The winner committed (its row is what the unique index waited for): a new statement of
          // a READ COMMITTED transaction sees it, and this pass returns it.
          LOG.debug("{} in the caller's transaction lost a race for an idempotency key; looking again", call.name());
          continue;
        }
        throw callerTransactionFailure(e, call, pass);
      }
    }
  }

  private <T> T onceInCallerTransaction(Connection connection, HandleCallback<T, RuntimeException> work) {
    Savepoint savepoint;
    try {
      savepoint = connection.setSavepoint(SAVEPOINT);
    } catch (SQLException e) {
      if ("25P02".equals(e.getSQLState())) {
        throw new InvalidRequestException("transaction",
            "the caller's transaction is aborted (an earlier statement in it failed): roll it back before creating jobs in it");
      }
      throw new SqlFailure(e);
    }
    try {
      callerConnection.set(connection);
      T result;
      try (Handle h = callerJdbi.open()) {
        result = work.withHandle(h);
      }
      connection.releaseSavepoint(savepoint);
      return result;
    } catch (RuntimeException | SQLException e) {
      try {
        connection.rollback(savepoint);
        connection.releaseSavepoint(savepoint);
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e instanceof SQLException ? new SqlFailure((SQLException) e) : (RuntimeException) e;
    } finally {
      callerConnection.remove();
    }
  }

  /** A failure of a JDBC call of this class itself (a savepoint), read as its SQL state says. */
  private static final class SqlFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The typed exception for a failure in the caller's transaction, whose retry is the caller's. */
  private static JobException callerTransactionFailure(RuntimeException e, Call call, int pass) {
    SqlErrors.Kind kind = SqlErrors.classify(e);
    String state = SqlErrors.sqlState(e);
    if (pass > 1 && SqlErrors.isIdempotencyRace(e)) {
      return new JobStoreException("PostgreSQL job store: " + call.name() + " in the caller's transaction failed: another"
          + " transaction committed a job with the same owner and idempotency key, which this transaction's snapshot"
          + " (REPEATABLE READ or SERIALIZABLE) cannot see; retry the whole transaction (SQL state " + state + ")", state, e);
    }
    if (kind == SqlErrors.Kind.PERMANENT) {
      return SqlErrors.translate(e, call.name(), call.jsonField());
    }
    JobException translated = SqlErrors.translate(e, call.name() + " in the caller's transaction", call.jsonField());
    return new JobStoreException(translated.getMessage() + "; not retried in a transaction the store does not own:"
        + " retry the whole transaction", state, e);
  }

  /** Sets the transaction's owner for row-level security (a no-op for the table owner). */
  public static void setOwner(Handle h, String owner) {
    h.createQuery("SELECT set_config('asyncjobs.owner_id', :owner, true)").bind("owner", owner).mapTo(String.class).one();
  }

  private static boolean retryable(Call call, SqlErrors.Kind kind) {
    switch (kind) {
      case NO_CONNECTION:
      case ROLLED_BACK:
        return true;
      case CONNECTION_LOST:
        return call.idempotent();
      default:
        return false;
    }
  }

  private static void pause(int attempt, RuntimeException cause, Call call) {
    long ceiling = BASE_BACKOFF_MILLIS << (attempt - 1);
    try {
      Thread.sleep(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw SqlErrors.translate(cause, call.name(), call.jsonField());
    }
  }

  /** The Jdbi this database runs on (for the migration runner and tests of this module). */
  public Jdbi jdbi() {
    return jdbi;
  }
}
