package dev.asyncjobs;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a job counts against its owner's {@link BudgetLimits}: money, in the currency of the
 * manager's {@link PriceTable}, and tokens (input and output, of every model).
 *
 * @param cost the money, at least 0, in its shortest plain form
 * @param tokens the tokens, at least 0
 */
public record BudgetAmount(BigDecimal cost, long tokens) {
  /** Nothing. */
  public static final BudgetAmount ZERO = new BudgetAmount(BigDecimal.ZERO, 0);

  /**
   * Checks the values.
   *
   * @param cost at least 0
   * @param tokens at least 0
   * @throws InvalidRequestException a value is negative
   */
  public BudgetAmount {
    Objects.requireNonNull(cost, "cost");
    if (cost.signum() < 0 || tokens < 0) {
      throw new InvalidRequestException("budget", "a budget amount must not be negative, was " + cost.toPlainString()
          + " and " + tokens + " tokens");
    }
    BigDecimal s = cost.stripTrailingZeros();
    cost = s.scale() < 0 ? s.setScale(0) : s;
  }

  /**
   * {@return what {@code usage} counts against a budget, priced with {@code prices}}
   *
   * @param usage what was consumed (or is expected to be)
   * @param prices the prices
   */
  public static BudgetAmount of(Usage usage, PriceTable prices) {
    java.math.BigDecimal tokens = usage.total(Usage.Unit.INPUT_TOKENS).add(usage.total(Usage.Unit.OUTPUT_TOKENS));
    long whole;
    try {
      whole = tokens.setScale(0, java.math.RoundingMode.CEILING).longValueExact(); // a part of a token counts as one
    } catch (ArithmeticException e) {
      throw new InvalidRequestException("usage", "a usage of " + tokens.toPlainString() + " tokens is more than a budget counts");
    }
    return new BudgetAmount(prices.costOf(usage).amount(), whole);
  }

  /**
   * {@return both added up}
   *
   * @param other another amount
   * @throws InvalidRequestException the tokens would pass {@link Long#MAX_VALUE}
   */
  public BudgetAmount plus(BudgetAmount other) {
    long sum;
    try {
      sum = Math.addExact(tokens, other.tokens);
    } catch (ArithmeticException e) {
      throw new InvalidRequestException("budget", "a budget amount of more than " + Long.MAX_VALUE + " tokens");
    }
    return new BudgetAmount(cost.add(other.cost), sum);
  }
}
