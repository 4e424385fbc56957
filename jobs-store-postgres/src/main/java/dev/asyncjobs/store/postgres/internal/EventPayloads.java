package dev.asyncjobs.store.postgres.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON documents the notify triggers send: {@code kind, id, owner, type, status,
 * progress, message, attempt, run_at, at}, times in epoch microseconds; since V3 many of them in
 * one notification, as a JSON array (V1 sent one object per notification).
 */
public final class EventPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventPayloads() {}

  /**
   * The events in {@code payload}: a JSON array of event documents, or one document.
   *
   * @throws IllegalArgumentException the payload is neither
   */
  public static List<JobEvent> parseAll(String payload) {
    JsonNode n = read(payload);
    if (n.isArray()) {
      List<JobEvent> events = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        events.add(event(e, payload));
      }
      return events;
    }
    return List.of(event(n, payload));
  }

  /**
   * The event in {@code payload}.
   *
   * @throws IllegalArgumentException the payload is not such a document
   */
  public static JobEvent parse(String payload) {
    return event(read(payload), payload);
  }

  private static JsonNode read(String payload) {
    try {
      JsonNode n = JSON.readTree(payload);
      if (n == null) {
        throw new IllegalArgumentException("notification payload is empty");
      }
      return n;
    } catch (IOException e) {
      throw new IllegalArgumentException("notification payload is not JSON: " + payload, e);
    }
  }

  private static JobEvent event(JsonNode n, String payload) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("notification payload is not a JSON object: " + payload);
    }
    return new JobEvent(
        JobEvent.Kind.valueOf(text(n, "kind")),
        UUID.fromString(text(n, "id")),
        text(n, "owner"),
        text(n, "type"),
        JobStatus.valueOf(text(n, "status")),
        n.path("progress").asInt(),
        n.path("message").isTextual() ? n.path("message").asText() : null,
        n.path("attempt").asInt(),
        micros(n.get("run_at")),
        required(micros(n.get("at")), "at"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("notification payload has no text field '" + field + "'");
    }
    return v.asText();
  }

  private static @Nullable Instant micros(@Nullable JsonNode v) {
    return v == null || !v.isNumber() ? null : Instant.EPOCH.plus(v.asLong(), ChronoUnit.MICROS);
  }

  private static Instant required(@Nullable Instant t, String field) {
    if (t == null) {
      throw new IllegalArgumentException("notification payload has no number field '" + field + "'");
    }
    return t;
  }
}
