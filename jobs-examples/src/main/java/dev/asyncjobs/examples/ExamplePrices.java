package dev.asyncjobs.examples;

import dev.asyncjobs.PriceTable;
import dev.asyncjobs.Usage;
import java.util.Currency;

/**
 * The prices the example app reports costs with ({@code GET /api/usage}): made-up prices for the
 * demo models, so that the offline demo shows costs, and illustrative ones for the OpenAI models its
 * generators default to. Providers change their prices: an application sets its own table.
 */
public final class ExamplePrices {
  private ExamplePrices() {}

  /** The table, in US dollars. */
  public static final PriceTable TABLE = PriceTable.builder(Currency.getInstance("USD"))
      .perMillion("demo-text-1", Usage.Unit.INPUT_TOKENS, "0.10")
      .perMillion("demo-text-1", Usage.Unit.OUTPUT_TOKENS, "0.40")
      .perUnit("demo-image-1", Usage.Unit.IMAGES, "0.02")
      .perMillion("gpt-4o-mini", Usage.Unit.INPUT_TOKENS, "0.15")
      .perMillion("gpt-4o-mini", Usage.Unit.OUTPUT_TOKENS, "0.60")
      .perUnit("gpt-image-1", Usage.Unit.IMAGES, "0.04")
      .build();
}
