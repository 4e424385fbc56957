package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageTest {
  @Test
  void reportsAddUpByModelAndUnit() {
    Usage a = Usage.of("gpt-4o-mini").inputTokens(100).outputTokens(20).build();
    Usage b = Usage.of("gpt-4o-mini").inputTokens(5).build().plus(Usage.of("gpt-image-1").images(2).build());

    Usage sum = a.plus(b);

    assertThat(sum.amount("gpt-4o-mini", Usage.Unit.INPUT_TOKENS)).isEqualByComparingTo("105");
    assertThat(sum.amount("gpt-4o-mini", Usage.Unit.OUTPUT_TOKENS)).isEqualByComparingTo("20");
    assertThat(sum.amount("gpt-image-1", Usage.Unit.IMAGES)).isEqualByComparingTo("2");
    assertThat(sum.amount("gpt-image-1", Usage.Unit.INPUT_TOKENS)).isEqualByComparingTo("0");
    assertThat(sum.total(Usage.Unit.INPUT_TOKENS)).isEqualByComparingTo("105");
    assertThat(sum.byModel().keySet()).containsExactly("gpt-4o-mini", "gpt-image-1");
    assertThat(a.plus(Usage.NONE)).isSameAs(a);
    assertThat(Usage.NONE.plus(a)).isSameAs(a);
    assertThat(sum).isEqualTo(b.plus(a)).hasSameHashCodeAs(b.plus(a));
  }

  @Test
  void zeroQuantitiesAreNotKeptAndEqualQuantitiesAreEqualWhateverTheirScale() {
    assertThat(Usage.of("m").inputTokens(0).build()).isSameAs(Usage.NONE);
    assertThat(Usage.NONE.isEmpty()).isTrue();
    assertThat(Usage.of("m").seconds(new BigDecimal("1.50")).build()).isEqualTo(Usage.of("m").seconds(new BigDecimal("1.5")).build());
  }

  @Test
  void jsonRoundTripsExactlyWithoutExponents() {
    Usage u = Usage.of("gpt-4o-mini").inputTokens(100).outputTokens(2_000_000).build()
        .plus(Usage.of("tts-1").seconds(new BigDecimal("0.0000001")).build());

    String json = u.toJson();

    assertThat(json).isEqualTo("{\"gpt-4o-mini\":{\"input_tokens\":100,\"output_tokens\":2000000},"
        + "\"tts-1\":{\"seconds\":0.0000001}}");
    assertThat(Usage.fromJson(json)).isEqualTo(u);
    assertThat(Usage.fromJson("{}")).isSameAs(Usage.NONE);
    assertThat(Usage.fromJson("{\"m\":{\"seconds\":0.1}}").amount("m", Usage.Unit.SECONDS)).isEqualTo(new BigDecimal("0.1"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[]                              | usage must be a JSON object of models",
      "{\"m\":3}                        | the usage of model 'm' must be an object of units",
      "{\"m\":{\"tokens\":3}}            | unknown usage unit 'tokens'",
      "{\"m\":{\"images\":\"3\"}}        | usage m.images must be a number",
      "{\"m\":{\"images\":-1}}           | usage m.images must not be negative, was -1",
      "{\"bad model\":{\"images\":1}}    | a usage's model must be 1-100 characters",
      "not json                         | usage is not JSON"})
  void badJsonIsRefusedWithATypedErrorNamingTheField(String json, String message) {
    assertThatThrownBy(() -> Usage.fromJson(json)).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.field()).isEqualTo("usage");
      assertThat(e.getMessage()).contains(message);
    });
  }

  @Test
  void badValuesAreRefusedWhereTheyAreGiven() {
    assertThatThrownBy(() -> Usage.of("")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("was ''");
    assertThatThrownBy(() -> Usage.of("-m")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Usage.of("m").outputTokens(-5)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("usage m.output_tokens must not be negative, was -5");
    Usage many = Usage.NONE;
    for (int i = 0; i < Usage.MAX_MODELS; i++) {
      many = many.plus(Usage.of("m" + i).images(1).build());
    }
    Usage full = many.requireStorable();
    // Sums (a report over many owners) are not capped; what one job keeps is.
    Usage more = full.plus(Usage.of("one-more").images(1).build());
    assertThat(more.byModel()).hasSize(33);
    assertThatThrownBy(more::requireStorable).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("at most 32 models");
    assertThatThrownBy(() -> Usage.fromJson(more.toJson())).isInstanceOf(InvalidRequestException.class);
    assertThat(Map.copyOf(full.byModel())).hasSize(32);
  }
}
