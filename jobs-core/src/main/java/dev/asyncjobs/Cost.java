package dev.asyncjobs;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An amount of money in one currency: an exact decimal, never a floating-point number.
 *
 * @param amount the amount, at least 0, trailing zeros removed (never in exponent form)
 * @param currency its currency
 */
public record Cost(BigDecimal amount, Currency currency) {
  /**
   * Checks the amount and keeps it in its shortest plain form.
   *
   * @param amount the amount, at least 0
   * @param currency its currency
   * @throws InvalidRequestException the amount is negative
   */
  public Cost {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
    if (amount.signum() < 0) {
      throw new InvalidRequestException("cost", "a cost must not be negative, was " + amount.toPlainString());
    }
    BigDecimal s = amount.stripTrailingZeros();
    amount = s.scale() < 0 ? s.setScale(0) : s;
  }

  /**
   * {@return nothing, in {@code currency}}
   *
   * @param currency the currency
   */
  public static Cost zero(Currency currency) {
    return new Cost(BigDecimal.ZERO, currency);
  }

  /**
   * {@return this cost and {@code other} added up}
   *
   * @param other a cost in the same currency
   * @throws IllegalArgumentException the currencies differ
   */
  public Cost plus(Cost other) {
    if (!currency.equals(other.currency)) {
      throw new IllegalArgumentException("cannot add " + other.currency + " to " + currency);
    }
    return new Cost(amount.add(other.amount), currency);
  }

  /** {@return e.g. {@code 0.0123 USD}} */
  @Override
  public String toString() {
    return amount.toPlainString() + " " + currency.getCurrencyCode();
  }
}
