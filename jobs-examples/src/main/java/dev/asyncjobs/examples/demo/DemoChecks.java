package dev.asyncjobs.examples.demo;

import dev.asyncjobs.InvalidPayloadException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Payload checks shared by the demo generators; each names the field it refuses. The rules are the
 * OpenAI generators' (same fields, ranges and lists), so that one request works in both modes.
 */
final class DemoChecks {
  private DemoChecks() {}

  static String prompt(@Nullable String prompt, int max) {
    if (prompt == null || prompt.isBlank()) {
      throw new InvalidPayloadException("payload.prompt", "prompt is required and must not be blank");
    }
    if (prompt.length() > max) {
      throw new InvalidPayloadException(
          "payload.prompt", "prompt must be at most " + max + " characters, was " + prompt.length());
    }
    return prompt.strip();
  }

  static int range(String field, @Nullable Integer value, int min, int max, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      throw new InvalidPayloadException("payload." + field, field + " must be " + min + "-" + max + ", was " + value);
    }
    return value;
  }

  /** One of {@code allowed}, matched ignoring case, spaces and hyphens ("Social post" is social_post). */
  static String oneOf(String field, @Nullable String value, List<String> allowed, String fallback) {
    if (value == null) {
      return fallback;
    }
    String key = value.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    if (!allowed.contains(key)) {
      throw new InvalidPayloadException(
          "payload." + field, field + " must be one of " + String.join(", ", allowed) + ", was '" + value + "'");
    }
    return key;
  }

  /** {@code null} or a text of at most {@code max} characters. */
  static @Nullable String optionalText(String field, @Nullable String value, int max) {
    if (value != null && value.length() > max) {
      throw new InvalidPayloadException("payload." + field, field + " must be at most " + max + " characters");
    }
    return value == null || value.isBlank() ? null : value.strip();
  }
}
