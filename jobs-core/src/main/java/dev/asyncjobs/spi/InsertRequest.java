package dev.asyncjobs.spi;

import dev.asyncjobs.QuotaPolicy;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link JobStore#insert} stores: the jobs of one create call, and the quota policy their
 * owners' creates are checked against in the same atomic step. It is a request object so that the
 * insert can take more (a budget, say) without changing the method every store implements.
 *
 * @param jobs the jobs to insert, all or none, in the order their stored versions are returned
 * @param quotas the policy the owners' creates are counted against; {@link QuotaPolicy#unlimited()}
 *     for a store without {@link StoreCapability#QUOTAS}
 * @param transaction the caller's open transaction to insert in, or {@code null} for the store's
 *     own; only set for a store with {@link StoreCapability#TRANSACTIONS}, which must neither
 *     commit, roll back nor close it
 */
public record InsertRequest(
    List<NewJob> jobs, QuotaPolicy quotas, @Nullable Connection transaction, BudgetCheck budgets) {

  /**
   * Copies the jobs and checks nullness.
   *
   * @param jobs the jobs to insert, all or none, in the order their stored versions are returned
   * @param quotas the policy the owners' creates are counted against
   * @param transaction the caller's open transaction to insert in, or {@code null} for the store's own
   * @param budgets the owners' budget bounds and the jobs' reservations ({@link BudgetCheck#NONE}
   *     unless the store declares {@link StoreCapability#BUDGETS})
   */
  public InsertRequest {
    jobs = List.copyOf(jobs);
    Objects.requireNonNull(quotas, "quotas");
    Objects.requireNonNull(budgets, "budgets");
  }

  /**
   * A request without budgets.
   *
   * @param jobs the jobs to insert, all or none, in the order their stored versions are returned
   * @param quotas the policy the owners' creates are counted against
   * @param transaction the caller's open transaction to insert in, or {@code null} for the store's own
   */
  public InsertRequest(List<NewJob> jobs, QuotaPolicy quotas, @Nullable Connection transaction) {
    this(jobs, quotas, transaction, BudgetCheck.NONE);
  }

  /**
   * A request in the store's own transaction.
   *
   * @param jobs the jobs to insert
   * @param quotas the policy the owners' creates are counted against
   */
  public InsertRequest(List<NewJob> jobs, QuotaPolicy quotas) {
    this(jobs, quotas, null);
  }

  /**
   * {@return a request to insert these jobs without a quota}
   *
   * @param jobs the jobs to insert
   */
  public static InsertRequest of(List<NewJob> jobs) {
    return new InsertRequest(jobs, QuotaPolicy.unlimited());
  }

  /**
   * {@return a request to insert one job without a quota}
   *
   * @param job the job to insert
   */
  public static InsertRequest of(NewJob job) {
    return of(List.of(job));
  }

  /**
   * {@return the same jobs, counted against {@code policy}}
   *
   * @param policy the quota policy
   */
  public InsertRequest withQuotas(QuotaPolicy policy) {
    return new InsertRequest(jobs, policy, transaction, budgets);
  }

  /**
   * {@return the same jobs, checked against and reserving {@code check}}
   *
   * @param check the bounds and reservations
   */
  public InsertRequest withBudgets(BudgetCheck check) {
    return new InsertRequest(jobs, quotas, transaction, check);
  }

  /**
   * {@return the same jobs, inserted in the caller's transaction}
   *
   * @param connection the connection of an open transaction (not in auto-commit)
   */
  public InsertRequest inTransaction(Connection connection) {
    return new InsertRequest(jobs, quotas, Objects.requireNonNull(connection, "connection"), budgets);
  }
}
