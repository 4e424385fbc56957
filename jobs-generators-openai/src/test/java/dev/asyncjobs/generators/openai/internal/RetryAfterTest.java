package dev.asyncjobs.generators.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading how long a server asked us to wait, and how long to leave a rate-limited model alone. */
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

  private RetryAfter.Wait rateLimit(Map<String, List<String>> headers) {
    return RetryAfter.rateLimit(headers, clock);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "0, 0",
    "0s, 0",
    "1s, 1000",
    "20ms, 20",
    "6m0s, 360000",
    "59m59.5s, 3599500",
    "1h0m0s, 3600000",
    "17.32s, 17320",
    "1m30s, 90000",
    "2m0.5s, 120500",
    "1.5ms, 1.5",
    "250us, 0.25",
    "250µs, 0.25",
    "900ns, 0.0009",
  })
  void readsGoDurationsAsOpenAiWritesItsResets(String value, double millis) {
    assertThat(RetryAfter.goDuration(value)).isEqualTo(Duration.ofNanos(Math.round(millis * 1_000_000)));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
    "", "s", "1", "10", "-1s", "+1s", "1 s", "1sec", "1S", "1d", "1e3s", "0x10s", ".5s", "1.s", "1s1s", "1s2m", "1ms1s",
    "1h-2m", "NaN", "Infinity", "soon", "1s garbage", "1.1234567891s", "9999999999999999h"
  })
  void garbageIsNotADuration(String value) {
    assertThat(RetryAfter.goDuration(value)).isNull();
  }

  @Test
  void hugeDurationsAreCappedAtAnHour() {
    assertThat(RetryAfter.goDuration("1h2m3.5s")).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.goDuration("100h")).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.goDuration("999999999999999h")).isEqualTo(Duration.ofHours(1));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"1e3", "+5", "0x10", "5s", "5,5", "Infinity", "1.", ".5", "1_000", "٣"})
  void aRetryAfterThatIsNotAPlainNumberOrDateIsIgnored(String value) {
    assertThat(parse(Map.of("Retry-After", List.of(value)))).isNull();
    assertThat(parse(Map.of("retry-after-ms", List.of(value)))).isNull();
  }

  @Test
  void aRateLimitWaitsForRetryAfterMsThenRetryAfterThenTheResetsThenTheDefault() {
    Map<String, List<String>> all = Map.of(
        "retry-after-ms", List.of("1500"), "Retry-After", List.of("2"),
        "x-ratelimit-reset-requests", List.of("3s"), "x-ratelimit-reset-tokens", List.of("4s"));
    assertThat(rateLimit(all)).isEqualTo(new RetryAfter.Wait(Duration.ofMillis(1500), "retry-after-ms"));
    assertThat(rateLimit(without(all, "retry-after-ms"))).isEqualTo(new RetryAfter.Wait(Duration.ofSeconds(2), "retry-after"));
    assertThat(rateLimit(without(all, "retry-after-ms", "Retry-After")))
        .isEqualTo(new RetryAfter.Wait(Duration.ofSeconds(4), "x-ratelimit-reset-tokens"));
    assertThat(rateLimit(Map.of())).isEqualTo(new RetryAfter.Wait(RetryAfter.DEFAULT_RATE_LIMIT_WAIT, "default"));
    assertThat(RetryAfter.DEFAULT_RATE_LIMIT_WAIT).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anHttpDateRetryAfterCountsForARateLimitToo() {
    assertThat(rateLimit(Map.of("Retry-After", List.of("Sun, 01 Mar 2026 12:00:42 GMT"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofSeconds(42), "retry-after"));
  }

  @Test
  void theLargerResetWinsWhenEitherLimitMayHaveRefused() {
    assertThat(rateLimit(Map.of("x-ratelimit-reset-requests", List.of("6m0s"), "x-ratelimit-reset-tokens", List.of("20ms"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofMinutes(6), "x-ratelimit-reset-requests"));
    assertThat(rateLimit(Map.of(
            "x-ratelimit-remaining-requests", List.of("0"), "x-ratelimit-reset-requests", List.of("1s"),
            "x-ratelimit-remaining-tokens", List.of("0"), "x-ratelimit-reset-tokens", List.of("1m0s"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofMinutes(1), "x-ratelimit-reset-tokens"));
    assertThat(rateLimit(Map.of("x-ratelimit-reset-requests", List.of("120ms"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofMillis(120), "x-ratelimit-reset-requests"));
  }

  @Test
  void theRequestsResetIsLeftOutWhenRequestsWereLeft() {
    // A large request refused by the tokens limit with requests to spare: the requests limit's
    // (longer) reset is not what we wait for.
    assertThat(rateLimit(Map.of(
            "x-ratelimit-remaining-requests", List.of("499"), "x-ratelimit-reset-requests", List.of("6m0s"),
            "x-ratelimit-remaining-tokens", List.of("1200"), "x-ratelimit-reset-tokens", List.of("2.5s"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofMillis(2500), "x-ratelimit-reset-tokens"));
    // Requests were left and the tokens say nothing: some other limit refused; the default.
    assertThat(rateLimit(Map.of("x-ratelimit-remaining-requests", List.of("3"), "x-ratelimit-reset-requests", List.of("6m0s"))))
        .isEqualTo(new RetryAfter.Wait(RetryAfter.DEFAULT_RATE_LIMIT_WAIT, "default"));
    // A remaining count that is not a count does not rule the requests limit out.
    assertThat(rateLimit(Map.of("x-ratelimit-remaining-requests", List.of("lots"), "x-ratelimit-reset-requests", List.of("7s"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofSeconds(7), "x-ratelimit-reset-requests"));
  }

  @Test
  void aResetOfZeroSaysNothingAboutARefusal() {
    // As Azure OpenAI answers for limits it does not report.
    assertThat(rateLimit(Map.of(
            "x-ratelimit-limit-tokens", List.of("-1"), "x-ratelimit-remaining-tokens", List.of("-1"),
            "x-ratelimit-reset-tokens", List.of("0"))))
        .isEqualTo(new RetryAfter.Wait(RetryAfter.DEFAULT_RATE_LIMIT_WAIT, "default"));
    assertThat(rateLimit(Map.of("x-ratelimit-reset-tokens", List.of("0s"), "x-ratelimit-reset-requests", List.of("250ms"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofMillis(250), "x-ratelimit-reset-requests"));
    // A Retry-After of 0 is the server's own word: honoured (the runtime waits at least 1 ms).
    assertThat(rateLimit(Map.of("Retry-After", List.of("0"), "x-ratelimit-reset-tokens", List.of("3s"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ZERO, "retry-after"));
  }

  @Test
  void badHeadersFallBackToTheNextSourceWithoutFailing() {
    assertThat(rateLimit(Map.of(
            "retry-after-ms", List.of("soon"), "Retry-After", List.of("Someday, 99 Foo 2026"),
            "x-ratelimit-reset-tokens", List.of("1h-1s"), "x-ratelimit-reset-requests", List.of("3s"))))
        .isEqualTo(new RetryAfter.Wait(Duration.ofSeconds(3), "x-ratelimit-reset-requests"));
    assertThat(rateLimit(Map.of(
            "retry-after-ms", List.of(""), "Retry-After", List.of("   "), "x-ratelimit-reset-tokens", List.of("forever"),
            "x-ratelimit-reset-requests", List.of("-3s"))))
        .isEqualTo(new RetryAfter.Wait(RetryAfter.DEFAULT_RATE_LIMIT_WAIT, "default"));
    // A header the client hands over without values, or with a null one.
    assertThat(RetryAfter.rateLimit(name -> name.equals("retry-after") ? java.util.Arrays.asList((String) null) : null, clock))
        .isEqualTo(new RetryAfter.Wait(RetryAfter.DEFAULT_RATE_LIMIT_WAIT, "default"));
  }

  @Test
  void aRateLimitsWaitIsCappedAtAnHourWhereverItCameFrom() {
    assertThat(rateLimit(Map.of("retry-after-ms", List.of("999999999999999"))).duration()).isEqualTo(Duration.ofHours(1));
    assertThat(rateLimit(Map.of("x-ratelimit-reset-tokens", List.of("30h"))).duration()).isEqualTo(Duration.ofHours(1));
  }

  private static Map<String, List<String>> without(Map<String, List<String>> headers, String... names) {
    Map<String, List<String>> out = new java.util.HashMap<>(headers);
    for (String n : names) {
      out.remove(n);
    }
    return out;
  }
}
