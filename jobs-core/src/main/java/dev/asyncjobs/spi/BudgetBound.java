package dev.asyncjobs.spi;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One budget limit a create is checked against ({@link BudgetCheck#bounds()}): the owner's jobs
 * created from {@code windowStart} on count their {@linkplain JobStore#settleBudget budget amounts}
 * (money or tokens); a create is refused once that count has reached {@code value}, or when the new
 * jobs' {@linkplain BudgetCheck#reservations() reservations} would take it past {@code value} (see
 * {@link JobStore#insert}).
 *
 * @param limit which limit, and so whether it counts money or tokens
 * @param value its value
 * @param windowStart the window's start (the UTC day's or month's), inclusive
 * @param resetsAt the window's end: when a refused create may succeed
 */
public record BudgetBound(BudgetExceededException.Limit limit, BigDecimal value, Instant windowStart, Instant resetsAt) {
  /**
   * Checks nullness.
   *
   * @param limit which limit
   * @param value its value
   * @param windowStart the window's start
   * @param resetsAt the window's end
   */
  public BudgetBound {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(resetsAt, "resetsAt");
  }

  /**
   * Checks new jobs of {@code ownerId} against this bound: the one rule of {@link JobStore#insert},
   * for every store.
   *
   * @param ownerId the owner
   * @param counted what the owner's budgeted jobs of the window count
   * @param requested what the owner's new jobs reserve
   * @throws BudgetExceededException the window has reached the value, or would pass it
   */
  public void check(String ownerId, BudgetAmount counted, BudgetAmount requested) {
    BigDecimal c = limit.isCost() ? counted.cost() : BigDecimal.valueOf(counted.tokens());
    BigDecimal r = limit.isCost() ? requested.cost() : BigDecimal.valueOf(requested.tokens());
    if (c.compareTo(value) >= 0 || c.add(r).compareTo(value) > 0) {
      throw new BudgetExceededException(ownerId, limit, value, c, r, resetsAt);
    }
  }
}
