package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.InvalidPayloadException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Field checks shared by the payloads. Every failure is an {@link InvalidPayloadException} naming
 * the field ({@code payload.style}) and, for choices, listing what is allowed.
 */
public final class PayloadRules {
  private PayloadRules() {}

  /** A required text of at most {@code max} characters. */
  public static String requiredText(String field, @Nullable String value, int max) {
    if (value == null) {
      throw new InvalidPayloadException(field, field + " is required");
    }
    if (value.isBlank()) {
      throw new InvalidPayloadException(field, field + " must not be blank");
    }
    return maxLength(field, value, max);
  }

  /** An optional text of at most {@code max} characters; blank counts as absent. */
  public static @Nullable String optionalText(String field, @Nullable String value, int max) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return maxLength(field, value, max);
  }

  private static String maxLength(String field, String value, int max) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw new InvalidPayloadException(field, field + " must be at most " + max + " characters, was " + length);
    }
    return value.strip();
  }

  /**
   * One of the values of {@code type}, matched ignoring case, spaces and hyphens ({@code
   * "Social post"} is {@code social_post}); {@code fallback} when absent.
   */
  public static <E extends Enum<E> & Choice> E choice(String field, @Nullable String value, Class<E> type, E fallback) {
    if (value == null) {
      return fallback;
    }
    String wanted = value.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.wire().equals(wanted)) {
        return e;
      }
    }
    throw new InvalidPayloadException(
        field, field + " must be one of " + allowed(type) + ", was '" + abbreviate(value) + "'");
  }

  /** The allowed spellings of {@code type}, comma-separated. */
  public static <E extends Enum<E> & Choice> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choice::wire).collect(Collectors.joining(", "));
  }

  /** An integer in {@code [min, max]}; {@code fallback} when absent. */
  public static int range(String field, @Nullable Integer value, int min, int max, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      throw new InvalidPayloadException(field, field + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** Echoes at most 40 characters of a bad value, so that a message stays readable. */
  static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }
}
