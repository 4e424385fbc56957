package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.BudgetLimits;
import dev.asyncjobs.BudgetPolicy;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import java.util.Currency;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The price table of {@code asyncjobs.prices.*} and the budget policy of {@code asyncjobs.budget.*}; a bad value names its property. */
public final class UsageSettings {
  private static final String PRICES = AsyncJobsProperties.PREFIX + ".prices.";
  private static final String BUDGET = AsyncJobsProperties.PREFIX + ".budget.";

  private UsageSettings() {}

  /**
   * {@return the currency of the prices}
   *
   * @param prices the properties
   * @throws JobConfigurationException not an ISO 4217 code
   */
  public static Currency currency(AsyncJobsProperties.Prices prices) {
    try {
      return Currency.getInstance(prices.currency());
    } catch (IllegalArgumentException e) {
      throw new JobConfigurationException(PRICES + "currency must be an ISO 4217 code such as USD, was '" + prices.currency() + "'");
    }
  }

  /**
   * {@return the price table}
   *
   * @param prices the properties
   * @throws JobConfigurationException a bad model name or price, naming its property
   */
  public static PriceTable prices(AsyncJobsProperties.Prices prices) {
    PriceTable.Builder table = PriceTable.builder(currency(prices));
    for (Map.Entry<String, AsyncJobsProperties.ModelPrice> e : prices.models().entrySet()) {
      String model = e.getKey();
      AsyncJobsProperties.ModelPrice p = e.getValue();
      String at = PRICES + "models[" + model + "].";
      perMillion(table, model, Usage.Unit.INPUT_TOKENS, p.inputTokensPerMillion(), at + "input-tokens-per-million");
      perMillion(table, model, Usage.Unit.OUTPUT_TOKENS, p.outputTokensPerMillion(), at + "output-tokens-per-million");
      perUnit(table, model, Usage.Unit.IMAGES, p.images(), at + "images");
      perUnit(table, model, Usage.Unit.SECONDS, p.seconds(), at + "seconds");
    }
    return table.build();
  }

  private static void perMillion(PriceTable.Builder table, String model, Usage.Unit unit, @Nullable String price, String property) {
    if (price != null) {
      named(property, () -> table.perMillion(model, unit, price));
    }
  }

  private static void perUnit(PriceTable.Builder table, String model, Usage.Unit unit, @Nullable String price, String property) {
    if (price != null) {
      named(property, () -> table.perUnit(model, unit, price));
    }
  }

  private static void named(String property, Runnable step) {
    try {
      step.run();
    } catch (InvalidRequestException | JobConfigurationException e) {
      throw new JobConfigurationException(property + ": " + e.getMessage());
    }
  }

  /**
   * {@return the budget policy: unlimited when no limit is set, else every owner gets the limits set}
   *
   * @param budget the properties
   * @param currency the prices' currency
   * @throws JobConfigurationException a bad value, naming its property
   */
  public static BudgetPolicy budget(AsyncJobsProperties.Budget budget, Currency currency) {
    if (!budget.isSet()) {
      return BudgetPolicy.unlimited();
    }
    BudgetLimits.Builder limits = BudgetLimits.builder();
    if (budget.costPerDay() != null) {
      named(BUDGET + "cost-per-day", () -> limits.costPerDay(budget.costPerDay(), currency));
    }
    if (budget.costPerMonth() != null) {
      named(BUDGET + "cost-per-month", () -> limits.costPerMonth(budget.costPerMonth(), currency));
    }
    if (budget.tokensPerDay() != null) {
      named(BUDGET + "tokens-per-day", () -> limits.tokensPerDay(budget.tokensPerDay()));
    }
    if (budget.tokensPerMonth() != null) {
      named(BUDGET + "tokens-per-month", () -> limits.tokensPerMonth(budget.tokensPerMonth()));
    }
    return BudgetPolicy.everyOwner(limits.build());
  }
}
