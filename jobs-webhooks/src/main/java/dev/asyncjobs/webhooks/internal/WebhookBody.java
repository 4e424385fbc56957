package dev.asyncjobs.webhooks.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.Job;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The body of a job's webhook, in the Standard Webhooks shape {@code {"type", "timestamp",
 * "data"}}: the event ({@code job.completed}, {@code job.failed}, {@code job.cancelled}), when it
 * happened, and the job's public view. Written by hand so that the wire format is stable and
 * leaves out worker internals (lease, worker id), the payload (the owner sent it) and the error
 * text, which is for operators (it can name a provider URL, a setting or a database message).
 */
final class WebhookBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookBody() {}

  /** The event type of a final status, e.g. {@code job.completed}. */
  static String eventType(Job job) {
    return switch (job.status()) {
      case COMPLETED -> "job.completed";
      case FAILED -> "job.failed";
      case CANCELLED -> "job.cancelled";
      default -> throw new IllegalArgumentException("job " + job.id() + " is not finished: " + job.status());
    };
  }

  /**
   * The body; the result is left out (and {@code resultOmitted} set) when the body would be
   * larger than {@code maxBytes} with it: the receiver then reads the job through the API.
   */
  static String of(Job job, Instant at, int maxBytes) {
    ObjectNode whole = build(job, at, job.resultTree());
    String text = write(whole);
    if (job.resultTree() == null || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
      return text;
    }
    ObjectNode thin = build(job, at, null);
    ((ObjectNode) thin.get("data")).put("resultOmitted", true);
    return write(thin);
  }

  private static ObjectNode build(Job job, Instant at, @Nullable JsonNode result) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", eventType(job));
    o.put("timestamp", at.toString());
    ObjectNode d = o.putObject("data");
    d.put("id", job.id().toString());
    d.put("type", job.type());
    d.put("ownerId", job.ownerId());
    d.put("status", job.status().name());
    d.put("progress", job.progress());
    d.set("result", result == null ? d.nullNode() : result);
    d.put("attempts", job.attempts());
    d.put("maxAttempts", job.maxAttempts());
    d.put("idempotencyKey", job.idempotencyKey());
    d.set("usage", tree(job.usage().toJson()));
    d.put("createdAt", job.createdAt().toString());
    d.put("startedAt", job.startedAt() == null ? null : job.startedAt().toString());
    d.put("finishedAt", job.finishedAt() == null ? null : job.finishedAt().toString());
    return o;
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Usage.toJson() wrote JSON that does not parse", e);
    }
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain nodes always writes", e);
    }
  }
}
