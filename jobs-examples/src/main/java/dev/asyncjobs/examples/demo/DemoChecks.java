package dev.asyncjobs.examples.demo;

import dev.asyncjobs.InvalidPayloadException;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Payload checks shared by the demo generators; each names the field it refuses. */
final class DemoChecks {
  /** Longest prompt the demo accepts, in characters. */
  static final int MAX_PROMPT = 4000;

  private DemoChecks() {}

  static String prompt(@Nullable String prompt) {
    if (prompt == null || prompt.isBlank()) {
      throw new InvalidPayloadException("payload.prompt", "prompt is required and must not be blank");
    }
    if (prompt.length() > MAX_PROMPT) {
      throw new InvalidPayloadException(
          "payload.prompt", "prompt must be at most " + MAX_PROMPT + " characters, was " + prompt.length());
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

  static String oneOf(String field, @Nullable String value, Set<String> allowed, String fallback) {
    if (value == null) {
      return fallback;
    }
    if (!allowed.contains(value)) {
      throw new InvalidPayloadException(
          "payload." + field, field + " must be one of " + new TreeSet<>(allowed) + ", was '" + value + "'");
    }
    return value;
  }
}
