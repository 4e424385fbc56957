package dev.asyncjobs.spi;

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
}
