package dev.asyncjobs.generators.openai.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads how long a server asked us to wait: {@code retry-after-ms} (OpenAI's, milliseconds), else
 * {@code retry-after} as seconds or as an HTTP date. Absurd values are capped, so that a broken
 * header cannot park a job for days.
 */
public final class RetryAfter {
  /** The longest wait taken from a header. */
  static final Duration MAX = Duration.ofHours(1);

  private RetryAfter() {}

  /**
   * The wait the headers ask for, or {@code null} when they ask for none (or say nothing readable).
   *
   * @param header the values of a header by name, matched case-insensitively by the caller
   */
  public static @Nullable Duration parse(Function<String, List<String>> header, Clock clock) {
    Duration ms = millis(first(header, "retry-after-ms"));
    if (ms != null) {
      return ms;
    }
    String value = first(header, "retry-after");
    if (value == null) {
      return null;
    }
    Duration seconds = seconds(value);
    return seconds != null ? seconds : date(value, clock);
  }

  /** The same, from a plain map of headers (for tests and other clients). */
  public static @Nullable Duration parse(Map<String, List<String>> headers, Clock clock) {
    return parse(
        name -> headers.entrySet().stream()
            .filter(e -> e.getKey().equalsIgnoreCase(name))
            .findFirst()
            .map(Map.Entry::getValue)
            .orElse(List.of()),
        clock);
  }

  private static @Nullable String first(Function<String, List<String>> header, String name) {
    List<String> values = header.apply(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    String v = values.get(0).trim();
    return v.isEmpty() ? null : v;
  }

  private static @Nullable Duration millis(@Nullable String value) {
    Double d = number(value);
    return d == null ? null : cap(Duration.ofNanos((long) (d * 1_000_000)));
  }

  private static @Nullable Duration seconds(String value) {
    Double d = number(value);
    return d == null ? null : cap(Duration.ofNanos((long) (d * 1_000_000_000)));
  }

  private static @Nullable Double number(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(value);
      return Double.isFinite(d) && d >= 0 ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static @Nullable Duration date(String value, Clock clock) {
    try {
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return wait.isNegative() ? Duration.ZERO : cap(wait);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration cap(Duration d) {
    return d.compareTo(MAX) > 0 ? MAX : d;
  }
}
