package dev.asyncjobs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collections;
import java.util.Currency;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What providers charge, by model and {@link Usage.Unit}, in one currency: turns a {@link Usage}
 * into a {@link Cost}. Immutable; exact decimal arithmetic throughout.
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.builder(Currency.getInstance("USD"))
 *     .perMillion("gpt-4o-mini", Usage.Unit.INPUT_TOKENS, "0.15")
 *     .perMillion("gpt-4o-mini", Usage.Unit.OUTPUT_TOKENS, "0.60")
 *     .perUnit("gpt-image-1", Usage.Unit.IMAGES, "0.04")
 *     .build();
 * }</pre>
 *
 * <p>Prices change: this library ships none. Quantities of a model or unit the table has no price
 * for cost nothing and are reported by {@link #unpriced(Usage)}, so that a missing price shows
 * rather than hides.
 */
public final class PriceTable {
  /** Digits kept in a computed cost: more than any currency's minor unit needs. */
  private static final MathContext PRECISION = MathContext.DECIMAL128;
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private final Currency currency;
  private final SortedMap<String, Map<Usage.Unit, BigDecimal>> perUnit;

  private PriceTable(Builder b) {
    this.currency = b.currency;
    SortedMap<String, Map<Usage.Unit, BigDecimal>> copy = new TreeMap<>();
    b.prices.forEach((m, units) -> copy.put(m, Collections.unmodifiableMap(new EnumMap<>(units))));
    this.perUnit = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Starts a table in {@code currency}.
   *
   * @param currency what every price is in
   * @return a builder
   */
  public static Builder builder(Currency currency) {
    return new Builder(Objects.requireNonNull(currency, "currency"));
  }

  /**
   * {@return a table without prices: everything costs nothing and is unpriced}
   *
   * @param currency the currency of its (zero) costs
   */
  public static PriceTable none(Currency currency) {
    return builder(currency).build();
  }

  /** {@return the currency of every price and cost} */
  public Currency currency() {
    return currency;
  }

  /** {@return the price of one unit, by model and unit} */
  public SortedMap<String, Map<Usage.Unit, BigDecimal>> prices() {
    return perUnit;
  }

  /**
   * {@return what {@code usage} costs; quantities without a price count nothing}
   *
   * @param usage what was consumed
   */
  public Cost costOf(Usage usage) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Map.Entry<String, Map<Usage.Unit, BigDecimal>> model : usage.byModel().entrySet()) {
      Map<Usage.Unit, BigDecimal> prices = perUnit.get(model.getKey());
      if (prices == null) {
        continue;
      }
      for (Map.Entry<Usage.Unit, BigDecimal> q : model.getValue().entrySet()) {
        BigDecimal price = prices.get(q.getKey());
        if (price != null) {
          sum = sum.add(q.getValue().multiply(price, PRECISION), PRECISION);
        }
      }
    }
    return new Cost(sum, currency);
  }

  /**
   * {@return the part of {@code usage} this table has no price for: empty when all of it is priced}
   *
   * @param usage what was consumed
   */
  public Usage unpriced(Usage usage) {
    Usage missing = Usage.NONE;
    for (Map.Entry<String, Map<Usage.Unit, BigDecimal>> model : usage.byModel().entrySet()) {
      Map<Usage.Unit, BigDecimal> prices = perUnit.getOrDefault(model.getKey(), Map.of());
      Usage.Builder b = Usage.of(model.getKey());
      model.getValue().forEach((unit, q) -> {
        if (!prices.containsKey(unit)) {
          b.amount(unit, q);
        }
      });
      missing = missing.plus(b.build());
    }
    return missing;
  }

  /** Prices added model by model; a price given twice is refused. */
  public static final class Builder {
    private final Currency currency;
    private final SortedMap<String, Map<Usage.Unit, BigDecimal>> prices = new TreeMap<>();

    private Builder(Currency currency) {
      this.currency = currency;
    }

    /**
     * The price of one unit.
     *
     * @param model the model, as generators report it in {@link Usage#of}
     * @param unit the unit
     * @param price what one unit costs, at least 0, as a decimal string ({@code "0.04"})
     * @return this builder
     * @throws InvalidRequestException the model name, the price or the pair is not valid
     */
    public Builder perUnit(String model, Usage.Unit unit, String price) {
      return put(model, unit, parse(price), BigDecimal.ONE);
    }

    /**
     * The price of a million units, as providers quote token prices.
     *
     * @param model the model, as generators report it
     * @param unit the unit
     * @param price what a million units cost, at least 0 ({@code "0.15"})
     * @return this builder
     * @throws InvalidRequestException the model name, the price or the pair is not valid
     */
    public Builder perMillion(String model, Usage.Unit unit, String price) {
      return put(model, unit, parse(price), MILLION);
    }

    private static BigDecimal parse(String price) {
      try {
        return new BigDecimal(Objects.requireNonNull(price, "price"));
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("price", "a price must be a decimal number such as 0.15, was '" + price + "'");
      }
    }

    private Builder put(String model, Usage.Unit unit, BigDecimal price, BigDecimal per) {
      Objects.requireNonNull(unit, "unit");
      Usage.of(model); // the same rule for model names as usage has
      if (price.signum() < 0) {
        throw new InvalidRequestException("price", "the price of " + model + " " + unit.jsonName()
            + " must not be negative, was " + price.toPlainString());
      }
      Map<Usage.Unit, BigDecimal> units = prices.computeIfAbsent(model, m -> new EnumMap<>(Usage.Unit.class));
      if (units.containsKey(unit)) {
        throw new InvalidRequestException("price", "the price of " + model + " " + unit.jsonName() + " is given twice");
      }
      units.put(unit, price.divide(per, PRECISION));
      return this;
    }

    /** {@return the table} */
    public PriceTable build() {
      return new PriceTable(this);
    }
  }
}
