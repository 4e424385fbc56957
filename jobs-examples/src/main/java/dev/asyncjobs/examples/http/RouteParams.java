package dev.asyncjobs.examples.http;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobStatus;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Query and path parameters of the JSON routes, each refused with a typed error naming it. */
final class RouteParams {
  private RouteParams() {}

  static Instant instant(Context ctx, String name, Instant fallback) {
    Instant given = optionalInstant(ctx, name);
    return given == null ? fallback : given;
  }

  /** {@return the ISO-8601 instant in query parameter {@code name}, or null when absent} */
  static @Nullable Instant optionalInstant(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return null;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(name, name + " must be an ISO-8601 instant such as 2026-12-01T00:00:00Z, was '" + raw + "'");
    }
  }

  static UUID jobId(Context ctx) {
    String raw = ctx.pathParam("id");
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("id", "job id must be a UUID, was '" + raw + "'");
    }
  }

  static Set<JobStatus> statuses(List<String> raw) {
    Set<JobStatus> out = EnumSet.noneOf(JobStatus.class);
    for (String s : splitAll(raw)) {
      try {
        out.add(JobStatus.valueOf(s.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(
            "status", "status must be among " + Arrays.toString(JobStatus.values()) + ", was '" + s + "'");
      }
    }
    return out;
  }

  /** Values given as {@code ?x=a&x=b} or {@code ?x=a,b}, blanks dropped. */
  static List<String> splitAll(List<String> raw) {
    List<String> out = new ArrayList<>();
    for (String value : raw) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  static int parseInt(String field, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(field, field + " must be a whole number, was '" + value + "'");
    }
  }

  /** {@return the ISO-8601 duration in query parameter {@code name}, or {@code fallback} when absent} */
  static Duration duration(Context ctx, String name, Duration fallback) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      return Duration.parse(raw);
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(name, name + " must be an ISO-8601 duration such as PT1H, was '" + raw + "'");
    }
  }
}
