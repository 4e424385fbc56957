package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * {@code JobStore.insert} in the caller's open transaction: the same statements as the store's own
 * insert (owner locks for quotas and budgets, the idempotency lookup, the budget sums, the insert that appends the CREATED events
 * and the ledger rows), run on the caller's connection under a savepoint (see {@link
 * Database#inCallerTransaction}), and then:
 *
 * <ul>
 *   <li>The transaction-local settings the statements made are put back as they were: {@code
 *       asyncjobs.log} (set by an insert that logs its own events, so that the log triggers skip
 *       its rows; left set, it would keep the triggers from logging the caller's own later changes
 *       of job rows in the same transaction) and {@code asyncjobs.owner_id} (set for row-level
 *       security). A setting that was never set comes back as the empty string, which means the
 *       same to the triggers and the policies.
 *   <li>The wake-up hint is a {@code pg_notify} in the caller's transaction, which PostgreSQL
 *       delivers when the transaction commits and drops when it rolls back. It carries {@link
 *       HintSender#COMMIT_PAYLOAD}, so that this process's own listener does not take it for one of
 *       its sender's hints (the caller's connection may well be a pooled connection that the sender
 *       used): the write was not visible before the commit, so nothing here has looked at it yet.
 * </ul>
 *
 * <p>Whether the caller's connection is subject to row-level security is asked of that connection,
 * not taken from the store's own role: a web tier may hand a transaction of its restricted role to
 * a store that runs as the tables' owner. Such a connection's insert leaves the events and the
 * ledger rows to the database's triggers, as the store's own insert on that role does.
 */
public final class CallerTransactionInsert {
  private final Database db;
  private final JobInserter logsItself;
  private final JobInserter loggedByTriggers;
  private final String probeSql;
  private final String restoreSql;
  private final String restoreAndHintSql;
  private final String jobsTable;
  private final String channel;

  /**
   * Inserts into {@code names}' tables.
   *
   * @param db runs the statements on the caller's connection
   * @param names the store's tables and channel
   * @param ledger the quota ledger
   * @param budgets the budget ledger
   */
  public CallerTransactionInsert(Database db, SchemaNames names, QuotaLedger ledger, BudgetLedger budgets) {
    this.db = db;
    this.logsItself = new JobInserter(names, ledger, budgets, true);
    this.loggedByTriggers = new JobInserter(names, ledger, budgets, false);
    this.jobsTable = names.jobs();
    this.channel = names.channel();
    this.probeSql = "SELECT row_security_active(CAST(:t AS regclass)),"
        + " current_setting('asyncjobs.log', true), current_setting('asyncjobs.owner_id', true)";
    String restore = "SELECT set_config('asyncjobs.log', :log, true), set_config('asyncjobs.owner_id', :owner, true)";
    this.restoreSql = restore;
    this.restoreAndHintSql = restore + " FROM pg_notify(:channel, :payload)";
  }

  /** What the caller's transaction was like before the insert. */
  private record Before(boolean rowLevelSecurity, @Nullable String log, @Nullable String owner) {}

  /**
   * Inserts as {@code plan} says, in the transaction open on {@code connection}.
   *
   * @param connection the caller's connection, checked with {@link #requireOpenTransaction}
   * @param plan the insert's plan
   * @param now the creation time
   * @return the stored jobs, in request order (earlier jobs for idempotent replays)
   */
  public List<Job> insert(Connection connection, JobInserter.Plan plan, Instant now) {
    return db.inCallerTransaction(connection, plan.call(), h -> insert(h, plan, now));
  }

  private List<Job> insert(Handle h, JobInserter.Plan plan, Instant now) {
    Before before = h.createQuery(probeSql).bind("t", jobsTable)
        .map((rs, ctx) -> new Before(rs.getBoolean(1), rs.getString(2), rs.getString(3))).one();
    String owner = plan.call().owner();
    if (before.rowLevelSecurity() && owner != null) {
      Database.setOwner(h, owner);
    }
    List<Job> stored = (before.rowLevelSecurity() ? loggedByTriggers : logsItself).insert(h, plan, now);
    boolean created = false;
    for (int i = 0; i < stored.size() && !created; i++) {
      created = stored.get(i).id().equals(plan.jobs().get(i).id()); // else an idempotent replay's earlier job
    }
    var restore = h.createQuery(created ? restoreAndHintSql : restoreSql)
        .bind("log", before.log()).bind("owner", before.owner());
    if (created) {
      restore.bind("channel", channel).bind("payload", HintSender.COMMIT_PAYLOAD);
    }
    restore.mapTo(String.class).one();
    return stored;
  }

  /**
   * Refuses a connection that has no transaction open to join.
   *
   * @param connection the caller's connection
   * @throws InvalidRequestException it is closed or in auto-commit mode (field {@code transaction})
   */
  public static void requireOpenTransaction(Connection connection) {
    boolean closed;
    boolean autoCommit;
    try {
      closed = connection.isClosed();
      autoCommit = !closed && connection.getAutoCommit();
    } catch (SQLException e) {
      throw SqlErrors.translate(e, "insert in the caller's transaction", null);
    }
    if (closed) {
      throw new InvalidRequestException("transaction", "the connection of the caller's transaction is closed");
    }
    if (autoCommit) {
      throw new InvalidRequestException("transaction",
          "the connection is in auto-commit mode, so there is no transaction to join: call setAutoCommit(false)"
              + " on it first (or create without a connection, in the store's own transaction)");
    }
  }
}
