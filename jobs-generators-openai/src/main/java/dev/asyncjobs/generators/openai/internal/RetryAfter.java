package dev.asyncjobs.generators.openai.internal;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads how long a server asked us to wait: {@code retry-after-ms} (OpenAI's, milliseconds), else
 * {@code retry-after} as seconds or as an HTTP date; for a rate limit, then OpenAI's {@code
 * x-ratelimit-reset-requests} / {@code x-ratelimit-reset-tokens} (when not zero), else a default.
 * Values are read strictly (a header that is not exactly one of these formats is ignored, never an
 * error, so that a broken proxy cannot turn a rate limit into a crash), and capped, so that a
 * broken header cannot park a job or a whole model for days.
 */
public final class RetryAfter {
  /** The longest wait taken from a header. */
  static final Duration MAX = Duration.ofHours(1);

  /**
   * The wait after a 429 that says nothing readable about when to come back. OpenAI's limits are
   * per minute and their resets usually a few seconds away: 5 s keeps a cluster from asking again
   * more than 12 times a minute while costing little next to a generation's own duration.
   */
  public static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(5);

  static final String RETRY_AFTER_MS = "retry-after-ms";
  static final String RETRY_AFTER = "retry-after";
  static final String RESET_REQUESTS = "x-ratelimit-reset-requests";
  static final String RESET_TOKENS = "x-ratelimit-reset-tokens";
  static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";

  // A plain decimal number: no sign, exponent, hex or "Infinity" that Double.parseDouble would take.
  private static final Pattern NUMBER = Pattern.compile("\\d{1,15}(?:\\.\\d{1,9})?");
  // A Go time.Duration as OpenAI writes its resets: 1s, 6m0s, 20ms, 1h2m3.5s.
  private static final Pattern GO_DURATION = Pattern.compile("(?:\\d{1,15}(?:\\.\\d{1,9})?(?:h|ms|m|s|us|µs|μs|ns))+");
  private static final Pattern GO_PART = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,9})?)(h|ms|m|s|us|µs|μs|ns)");
  private static final BigDecimal NANOS_PER_MILLI = BigDecimal.valueOf(1_000_000L);
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(MAX.toNanos());

  /**
   * A wait and where it came from.
   *
   * @param duration how long to wait, at most an hour
   * @param source the header it was read from, or {@code default} when none said anything readable
   */
  public record Wait(Duration duration, String source) {}

  private RetryAfter() {}

  /**
   * The wait the headers ask for, or {@code null} when they ask for none (or say nothing readable).
   *
   * @param header the values of a header by name, matched case-insensitively by the caller
   */
  public static @Nullable Duration parse(Function<String, List<String>> header, Clock clock) {
    Wait w = retryAfter(header, clock);
    return w == null ? null : w.duration();
  }

  /** The same, from a plain map of headers (for tests and other clients). */
  public static @Nullable Duration parse(Map<String, List<String>> headers, Clock clock) {
    return parse(byName(headers), clock);
  }

  /**
   * How long to leave a rate-limited model alone, in this order: {@code retry-after-ms}, {@code
   * retry-after} (seconds or an HTTP date), the reset of the limit that refused ({@code
   * x-ratelimit-reset-tokens}, and {@code x-ratelimit-reset-requests} unless {@code
   * x-ratelimit-remaining-requests} says requests were left: the larger of the two when both may
   * have refused; a reset of zero says nothing), else {@link #DEFAULT_RATE_LIMIT_WAIT}.
   *
   * @param header the values of a header by name, matched case-insensitively by the caller
   */
  public static Wait rateLimit(Function<String, List<String>> header, Clock clock) {
    Wait w = retryAfter(header, clock);
    if (w != null) {
      return w;
    }
    w = reset(header);
    return w != null ? w : new Wait(DEFAULT_RATE_LIMIT_WAIT, "default");
  }

  /** The same, from a plain map of headers (for tests and other clients). */
  public static Wait rateLimit(Map<String, List<String>> headers, Clock clock) {
    return rateLimit(byName(headers), clock);
  }

  private static @Nullable Wait retryAfter(Function<String, List<String>> header, Clock clock) {
    Duration ms = number(first(header, RETRY_AFTER_MS), NANOS_PER_MILLI);
    if (ms != null) {
      return new Wait(ms, RETRY_AFTER_MS);
    }
    String value = first(header, RETRY_AFTER);
    if (value == null) {
      return null;
    }
    Duration d = number(value, NANOS_PER_SECOND);
    if (d == null) {
      d = date(value, clock);
    }
    return d == null ? null : new Wait(d, RETRY_AFTER);
  }

  private static @Nullable Wait reset(Function<String, List<String>> header) {
    Duration tokens = positive(goDuration(first(header, RESET_TOKENS)));
    Duration requests = positive(goDuration(first(header, RESET_REQUESTS)));
    // One request costs one unit of the requests limit: with some left, that limit did not refuse.
    // The tokens limit may refuse a large request with tokens still left, so it always counts.
    if (requests != null && requestsLeft(first(header, REMAINING_REQUESTS))) {
      requests = null;
    }
    if (tokens != null && (requests == null || tokens.compareTo(requests) >= 0)) {
      return new Wait(tokens, RESET_TOKENS);
    }
    return requests == null ? null : new Wait(requests, RESET_REQUESTS);
  }

  /**
   * A reset that is due now says nothing about a 429 that just refused (Azure OpenAI sends {@code
   * x-ratelimit-reset-tokens: 0} with limits it does not report): the next source decides.
   */
  private static @Nullable Duration positive(@Nullable Duration d) {
    return d == null || d.isZero() ? null : d;
  }

  private static boolean requestsLeft(@Nullable String remaining) {
    return remaining != null && remaining.matches("\\d{1,15}") && !remaining.matches("0+");
  }

  /**
   * A Go duration ({@code 1h2m3.5s}, {@code 6m0s}, {@code 20ms}, {@code 0}), its units each at
   * most once and from the largest down, as Go writes them; else {@code null}.
   */
  static @Nullable Duration goDuration(@Nullable String value) {
    if (value == null) {
      return null;
    }
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    if (!GO_DURATION.matcher(value).matches()) {
      return null;
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int lastRank = Integer.MAX_VALUE;
    Matcher m = GO_PART.matcher(value);
    while (m.find()) {
      int rank = rank(m.group(2));
      if (rank >= lastRank) {
        return null; // "1s1s" or "1s1m": not how a duration is written
      }
      lastRank = rank;
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(nanosPer(m.group(2))));
    }
    return capped(nanos);
  }

  private static int rank(String unit) {
    return switch (unit) {
      case "h" -> 5;
      case "m" -> 4;
      case "s" -> 3;
      case "ms" -> 2;
      case "ns" -> 0;
      default -> 1; // us, µs (micro sign), μs (Greek mu): Go accepts all three
    };
  }

  private static BigDecimal nanosPer(String unit) {
    return switch (unit) {
      case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
      case "m" -> BigDecimal.valueOf(60_000_000_000L);
      case "s" -> NANOS_PER_SECOND;
      case "ms" -> NANOS_PER_MILLI;
      case "ns" -> BigDecimal.ONE;
      default -> BigDecimal.valueOf(1_000L);
    };
  }

  private static @Nullable String first(Function<String, List<String>> header, String name) {
    List<String> values = header.apply(name);
    if (values == null || values.isEmpty() || values.get(0) == null) {
      return null;
    }
    String v = values.get(0).trim();
    return v.isEmpty() ? null : v;
  }

  private static @Nullable Duration number(@Nullable String value, BigDecimal nanosPerUnit) {
    if (value == null || !NUMBER.matcher(value).matches()) {
      return null;
    }
    return capped(new BigDecimal(value).multiply(nanosPerUnit));
  }

  private static Duration capped(BigDecimal nanos) {
    return nanos.compareTo(MAX_NANOS) > 0 ? MAX : Duration.ofNanos(nanos.longValue());
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

  private static Function<String, List<String>> byName(Map<String, List<String>> headers) {
    return name -> headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .findFirst()
        .map(Map.Entry::getValue)
        .orElse(List.of());
  }
}
