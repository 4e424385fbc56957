package dev.asyncjobs.generators.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spellings of durations in host settings. */
class SettingsReaderTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({"45, PT45S", "45s, PT45S", "500ms, PT0.5S", "2m, PT2M", "3min, PT3M", "1h, PT1H", "PT1M30S, PT1M30S", "90 S, PT1M30S"})
  void readsDurations(String text, String expected) {
    assertThat(SettingsReader.duration("openai.timeout", text)).isEqualTo(Duration.parse(expected));
  }
}
