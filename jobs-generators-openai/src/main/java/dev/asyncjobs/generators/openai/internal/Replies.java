package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.PermanentGenerationException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Checks of a structured reply's fields, each failure saying which field of the reply was wrong. */
final class Replies {
  private final String what;

  Replies(String what) {
    this.what = what;
  }

  String text(@Nullable String value, String field) {
    if (value == null || value.isBlank()) {
      throw malformed(field + " is missing or blank");
    }
    return value.strip();
  }

  String textOrEmpty(@Nullable String value) {
    return value == null ? "" : value.strip();
  }

  <T> List<T> nonEmpty(@Nullable List<T> values, String field) {
    if (values == null || values.isEmpty()) {
      throw malformed(field + " is missing or empty");
    }
    return values;
  }

  <T> T present(@Nullable T value, String field) {
    if (value == null) {
      throw malformed(field + " is missing");
    }
    return value;
  }

  PermanentGenerationException malformed(String problem) {
    return ErrorMapper.malformed(what, problem, null);
  }
}
