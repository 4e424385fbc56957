package dev.asyncjobs;

import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * An owner's budget now ({@link JobManager#budget}): the limits, and what its jobs of the current
 * UTC day and month count.
 *
 * @param limits the owner's limits ({@link BudgetLimits#NONE} when it has none)
 * @param currency the currency of every cost
 * @param today what the owner's budgeted jobs created today count
 * @param thisMonth what those created this month count
 * @param dayResetsAt when today's window ends
 * @param monthResetsAt when this month's window ends
 */
public record BudgetStatus(
    BudgetLimits limits, Currency currency, BudgetAmount today, BudgetAmount thisMonth, Instant dayResetsAt,
    Instant monthResetsAt) {
  /**
   * Checks nullness.
   *
   * @param limits the limits
   * @param currency the currency
   * @param today today's count
   * @param thisMonth this month's count
   * @param dayResetsAt end of today
   * @param monthResetsAt end of this month
   */
  public BudgetStatus {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(today, "today");
    Objects.requireNonNull(thisMonth, "thisMonth");
    Objects.requireNonNull(dayResetsAt, "dayResetsAt");
    Objects.requireNonNull(monthResetsAt, "monthResetsAt");
  }
}
