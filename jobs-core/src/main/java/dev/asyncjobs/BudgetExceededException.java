package dev.asyncjobs;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * An owner's budget does not allow the create (HTTP 402): what the owner's jobs of the day or month
 * count, plus this create's reservation, would pass a {@link BudgetLimits} limit. Nothing was stored.
 */
public class BudgetExceededException extends JobException {
  private static final long serialVersionUID = 1L;

  /** Which limit refused. */
  public enum Limit {
    /** {@link BudgetLimits#costPerDay()}. */
    COST_PER_DAY,
    /** {@link BudgetLimits#costPerMonth()}. */
    COST_PER_MONTH,
    /** {@link BudgetLimits#tokensPerDay()}. */
    TOKENS_PER_DAY,
    /** {@link BudgetLimits#tokensPerMonth()}. */
    TOKENS_PER_MONTH;

    /** {@return whether it counts money (else tokens)} */
    public boolean isCost() {
      return this == COST_PER_DAY || this == COST_PER_MONTH;
    }
  }

  /** The owner. */
  private final String ownerId;
  /** The limit that refused. */
  private final Limit limit;
  /** Its value. */
  private final BigDecimal limitValue;
  /** What the window counted. */
  private final BigDecimal counted;
  /** What the create would have reserved. */
  private final BigDecimal requested;
  /** When the window ends. */
  private final Instant resetsAt;

  /**
   * {@code limit} refused a create of {@code ownerId}.
   *
   * @param ownerId the owner
   * @param limit the limit that refused
   * @param limitValue its value: money in the price table's currency, or tokens
   * @param counted what the owner's jobs of the window count already
   * @param requested what the refused create would have reserved
   * @param resetsAt when the window ends (the next UTC day or month)
   */
  public BudgetExceededException(String ownerId, Limit limit, BigDecimal limitValue, BigDecimal counted,
      BigDecimal requested, Instant resetsAt) {
    super("budget exceeded: " + describe(limit, limitValue) + "; " + counted.toPlainString() + " counted, "
        + requested.toPlainString() + " requested; resets at " + resetsAt);
    this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
    this.limit = Objects.requireNonNull(limit, "limit");
    this.limitValue = limitValue;
    this.counted = counted;
    this.requested = requested;
    this.resetsAt = resetsAt;
  }

  private static String describe(Limit limit, BigDecimal value) {
    String v = value.toPlainString();
    return switch (limit) {
      case COST_PER_DAY -> "at most " + v + " per day";
      case COST_PER_MONTH -> "at most " + v + " per month";
      case TOKENS_PER_DAY -> "at most " + v + " tokens per day";
      case TOKENS_PER_MONTH -> "at most " + v + " tokens per month";
    };
  }

  /** {@return the owner} */
  public String ownerId() {
    return ownerId;
  }

  /** {@return the limit that refused} */
  public Limit limit() {
    return limit;
  }

  /** {@return its value: money in the price table's currency, or tokens} */
  public BigDecimal limitValue() {
    return limitValue;
  }

  /** {@return what the owner's jobs of the window counted when the create was refused} */
  public BigDecimal counted() {
    return counted;
  }

  /** {@return what the refused create would have reserved} */
  public BigDecimal requested() {
    return requested;
  }

  /** {@return when the window ends and the budget starts afresh} */
  public Instant resetsAt() {
    return resetsAt;
  }

  @Override
  public String code() {
    return "budget_exceeded";
  }
}
