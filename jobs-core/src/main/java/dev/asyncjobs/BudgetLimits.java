package dev.asyncjobs;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How much one owner's jobs may consume per calendar day and per calendar month (UTC), in money
 * and in tokens. A create reserves its generator's estimate ({@link Generator#estimateUsage}) and is
 * refused with {@link BudgetExceededException} when what the owner's jobs of the day or month count
 * (the actual usage of finished jobs, the reservation of unfinished ones) plus the reservation
 * would pass a limit. Immutable; a limit not set does not limit.
 */
public final class BudgetLimits {
  /** No limit at all. */
  public static final BudgetLimits NONE = new BudgetLimits(null, null, null, null, null);

  private final @Nullable Currency currency;
  private final @Nullable BigDecimal costPerDay;
  private final @Nullable BigDecimal costPerMonth;
  private final @Nullable Long tokensPerDay;
  private final @Nullable Long tokensPerMonth;

  private BudgetLimits(@Nullable Currency currency, @Nullable BigDecimal costPerDay, @Nullable BigDecimal costPerMonth,
      @Nullable Long tokensPerDay, @Nullable Long tokensPerMonth) {
    this.currency = currency;
    this.costPerDay = costPerDay;
    this.costPerMonth = costPerMonth;
    this.tokensPerDay = tokensPerDay;
    this.tokensPerMonth = tokensPerMonth;
  }

  /** {@return a builder of limits} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the currency of the money limits, or {@code null} when there is none} */
  public @Nullable Currency currency() {
    return currency;
  }

  /** {@return the most money per UTC day, or {@code null}} */
  public @Nullable BigDecimal costPerDay() {
    return costPerDay;
  }

  /** {@return the most money per UTC calendar month, or {@code null}} */
  public @Nullable BigDecimal costPerMonth() {
    return costPerMonth;
  }

  /** {@return the most tokens per UTC day, or {@code null}} */
  public @Nullable Long tokensPerDay() {
    return tokensPerDay;
  }

  /** {@return the most tokens per UTC calendar month, or {@code null}} */
  public @Nullable Long tokensPerMonth() {
    return tokensPerMonth;
  }

  /** {@return whether no limit is set} */
  public boolean isUnlimited() {
    return costPerDay == null && costPerMonth == null && tokensPerDay == null && tokensPerMonth == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BudgetLimits b && Objects.equals(currency, b.currency) && Objects.equals(costPerDay, b.costPerDay)
        && Objects.equals(costPerMonth, b.costPerMonth) && Objects.equals(tokensPerDay, b.tokensPerDay)
        && Objects.equals(tokensPerMonth, b.tokensPerMonth);
  }

  @Override
  public int hashCode() {
    return Objects.hash(currency, costPerDay, costPerMonth, tokensPerDay, tokensPerMonth);
  }

  @Override
  public String toString() {
    return "BudgetLimits[costPerDay=" + costPerDay + ", costPerMonth=" + costPerMonth + ", currency=" + currency
        + ", tokensPerDay=" + tokensPerDay + ", tokensPerMonth=" + tokensPerMonth + "]";
  }

  /** Limits set one by one; money limits share one currency. */
  public static final class Builder {
    private @Nullable Currency currency;
    private @Nullable BigDecimal costPerDay;
    private @Nullable BigDecimal costPerMonth;
    private @Nullable Long tokensPerDay;
    private @Nullable Long tokensPerMonth;

    private Builder() {}

    /**
     * The most money one owner's jobs may count per UTC day.
     *
     * @param amount at least 0, a decimal string ({@code "5.00"})
     * @param currency its currency: the manager's price table's
     * @return this builder
     * @throws JobConfigurationException a bad amount, or another currency than a limit set before
     */
    public Builder costPerDay(String amount, Currency currency) {
      costPerDay = money("costPerDay", amount, currency);
      return this;
    }

    /**
     * The most money one owner's jobs may count per UTC calendar month.
     *
     * @param amount at least 0, a decimal string ({@code "100"})
     * @param currency its currency: the manager's price table's
     * @return this builder
     * @throws JobConfigurationException a bad amount, or another currency than a limit set before
     */
    public Builder costPerMonth(String amount, Currency currency) {
      costPerMonth = money("costPerMonth", amount, currency);
      return this;
    }

    /**
     * The most input and output tokens one owner's jobs may count per UTC day.
     *
     * @param tokens at least 0
     * @return this builder
     */
    public Builder tokensPerDay(long tokens) {
      tokensPerDay = count("tokensPerDay", tokens);
      return this;
    }

    /**
     * The most input and output tokens one owner's jobs may count per UTC calendar month.
     *
     * @param tokens at least 0
     * @return this builder
     */
    public Builder tokensPerMonth(long tokens) {
      tokensPerMonth = count("tokensPerMonth", tokens);
      return this;
    }

    private BigDecimal money(String name, String amount, Currency c) {
      Objects.requireNonNull(c, "currency");
      if (currency != null && !currency.equals(c)) {
        throw new JobConfigurationException(name + ": every money limit is in one currency (" + currency + "), was " + c);
      }
      BigDecimal v;
      try {
        v = new BigDecimal(Objects.requireNonNull(amount, name));
      } catch (NumberFormatException e) {
        throw new JobConfigurationException(name + " must be a decimal number such as 5.00, was '" + amount + "'");
      }
      if (v.signum() < 0) {
        throw new JobConfigurationException(name + " must not be negative, was " + amount);
      }
      currency = c;
      return v;
    }

    private static long count(String name, long v) {
      if (v < 0) {
        throw new JobConfigurationException(name + " must not be negative, was " + v);
      }
      return v;
    }

    /** {@return the limits} */
    public BudgetLimits build() {
      return new BudgetLimits(currency, costPerDay, costPerMonth, tokensPerDay, tokensPerMonth);
    }
  }
}
