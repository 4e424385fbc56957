package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Currency;
import org.junit.jupiter.api.Test;

class PriceTableTest {
  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency EUR = Currency.getInstance("EUR");

  private static final PriceTable PRICES = PriceTable.builder(USD)
      .perMillion("gpt-4o-mini", Usage.Unit.INPUT_TOKENS, "0.15")
      .perMillion("gpt-4o-mini", Usage.Unit.OUTPUT_TOKENS, "0.60")
      .perUnit("gpt-image-1", Usage.Unit.IMAGES, "0.04")
      .build();

  @Test
  void costsAreExactDecimals() {
    Usage usage = Usage.of("gpt-4o-mini").inputTokens(1_234).outputTokens(567).build()
        .plus(Usage.of("gpt-image-1").images(3).build());

    Cost cost = PRICES.costOf(usage);

    // 1234 × 0.15e-6 + 567 × 0.60e-6 + 3 × 0.04 = 0.0001851 + 0.0003402 + 0.12
    assertThat(cost.amount()).isEqualTo(new BigDecimal("0.1205253"));
    assertThat(cost.currency()).isEqualTo(USD);
    assertThat(cost).hasToString("0.1205253 USD");
    assertThat(PRICES.unpriced(usage)).isEqualTo(Usage.NONE);
    assertThat(PRICES.costOf(Usage.NONE)).isEqualTo(Cost.zero(USD));
  }

  @Test
  void whatHasNoPriceCostsNothingAndIsReported() {
    Usage usage = Usage.of("gpt-image-1").images(1).inputTokens(50).build().plus(Usage.of("whisper-1").seconds(new BigDecimal("7.5")).build());

    assertThat(PRICES.costOf(usage).amount()).isEqualTo(new BigDecimal("0.04"));
    assertThat(PRICES.unpriced(usage)).isEqualTo(Usage.of("gpt-image-1").inputTokens(50).build()
        .plus(Usage.of("whisper-1").seconds(new BigDecimal("7.5")).build()));
    assertThat(PriceTable.none(EUR).costOf(usage)).isEqualTo(Cost.zero(EUR));
  }

  @Test
  void badPricesAreRefusedWithTypedErrors() {
    PriceTable.Builder b = PriceTable.builder(USD).perUnit("m", Usage.Unit.IMAGES, "1");
    assertThatThrownBy(() -> b.perUnit("m", Usage.Unit.IMAGES, "2")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("the price of m images is given twice");
    assertThatThrownBy(() -> b.perUnit("m", Usage.Unit.SECONDS, "-0.01")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("must not be negative, was -0.01");
    assertThatThrownBy(() -> b.perMillion("m", Usage.Unit.INPUT_TOKENS, "0,15")).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> assertThat(e.field()).isEqualTo("price"));
    assertThatThrownBy(() -> b.perUnit("no spaces", Usage.Unit.IMAGES, "1")).isInstanceOf(InvalidRequestException.class);
    assertThat(b.build().prices()).containsOnlyKeys("m");
  }

  @Test
  void costsAddInOneCurrencyOnly() {
    Cost a = new Cost(new BigDecimal("0.10"), USD);
    assertThat(a.plus(new Cost(new BigDecimal("0.05"), USD))).isEqualTo(new Cost(new BigDecimal("0.15"), USD));
    assertThat(a.amount()).isEqualTo(new BigDecimal("0.1"));
    assertThat(new Cost(new BigDecimal("1E+2"), USD).amount().toPlainString()).isEqualTo("100");
    assertThatThrownBy(() -> a.plus(Cost.zero(EUR))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EUR");
    assertThatThrownBy(() -> new Cost(new BigDecimal("-1"), USD)).isInstanceOf(InvalidRequestException.class);
  }
}
