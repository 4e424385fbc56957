package dev.asyncjobs.generators.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading how long a server asked us to wait. */
class RetryAfterTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private Duration parse(Map<String, List<String>> headers) {
    return RetryAfter.parse(headers, clock);
  }

  @Test
  void readsSecondsMillisecondsAndHttpDates() {
    assertThat(parse(Map.of("Retry-After", List.of("20")))).isEqualTo(Duration.ofSeconds(20));
    assertThat(parse(Map.of("retry-after", List.of("1.5")))).isEqualTo(Duration.ofMillis(1500));
    assertThat(parse(Map.of("retry-after-ms", List.of("250")))).isEqualTo(Duration.ofMillis(250));
    assertThat(parse(Map.of("Retry-After", List.of("Sun, 01 Mar 2026 12:00:42 GMT")))).isEqualTo(Duration.ofSeconds(42));
  }

  @Test
  void millisecondsWinOverSeconds() {
    assertThat(parse(Map.of("retry-after-ms", List.of("800"), "retry-after", List.of("1")))).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void aDateInThePastMeansNowAndNonsenseMeansNothing() {
    assertThat(parse(Map.of("Retry-After", List.of("Sun, 01 Mar 2026 11:00:00 GMT")))).isEqualTo(Duration.ZERO);
    assertThat(parse(Map.of("Retry-After", List.of("soon")))).isNull();
    assertThat(parse(Map.of("Retry-After", List.of("-5")))).isNull();
    assertThat(parse(Map.of("retry-after-ms", List.of("NaN"), "retry-after", List.of("3")))).isEqualTo(Duration.ofSeconds(3));
    assertThat(parse(Map.of())).isNull();
  }

  @Test
  void absurdWaitsAreCappedAtAnHour() {
    assertThat(parse(Map.of("Retry-After", List.of("86400")))).isEqualTo(Duration.ofHours(1));
    assertThat(parse(Map.of("Retry-After", List.of("Tue, 01 Dec 2026 00:00:00 GMT")))).isEqualTo(Duration.ofHours(1));
  }
}
