package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobException;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.NoTemplateEngine;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's statements: on a pooled connection, in a transaction when the call needs one,
 * with the owner set for row-level security when the connection's role is subject to it, and
 * retried a bounded number of times when the failure is transient and retrying is safe. Every
 * other failure leaves as a typed {@link JobException}.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final int MAX_ATTEMPTS = 3;
  private static final long BASE_BACKOFF_MILLIS = 20;

  private final Jdbi jdbi;
  private volatile boolean scopeOwners;

  /** Statements on connections of {@code dataSource}. */
  public Database(javax.sql.DataSource dataSource) {
    this.jdbi = Jdbi.create(dataSource);
    // Messages must not carry bound values: payloads may be private and large.
    jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.SHORT_STATEMENT);
    // The SQL is complete text built in Java: no template pass, and no chance that "<x>" in SQL is
    // read as a template attribute.
    jdbi.getConfig(SqlStatements.class).setTemplateEngine(new NoTemplateEngine());
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
