package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobRequest;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads the body of {@code POST /api/generate}: {@code {type, payload, priority?, idempotencyKey?}}.
 * The envelope is checked here, field by field; the payload itself is the manager's to check.
 */
final class CreateRequests {
  private static final Set<String> FIELDS = Set.of("type", "payload", "priority", "idempotencyKey");

  private CreateRequests() {}

  /**
   * The request of {@code owner} in {@code body}.
   *
   * @throws InvalidRequestException naming the field at fault
   */
  static JobRequest read(String owner, byte[] body) {
    JsonNode root;
    try {
      root = HttpIo.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("body", "the request body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new InvalidRequestException("body", "the request body could not be read");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException("body", "the request body must be a JSON object {type, payload, priority?, idempotencyKey?}");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRequestException(name, "unknown field '" + name + "'; allowed: type, payload, priority, idempotencyKey");
      }
    }
    JsonNode type = root.get("type");
    if (type == null || !type.isTextual() || type.textValue().isBlank()) {
      throw new InvalidRequestException("type", "type is required: a job type such as image_generation");
    }
    JsonNode payload = root.get("payload");
    if (payload == null || payload.isNull()) {
      throw new InvalidRequestException("payload", "payload is required: a JSON object");
    }
    JobRequest.Builder b = JobRequest.builder(owner, type.textValue()).payload(HttpIo.text(payload));
    JsonNode priority = root.get("priority");
    if (priority != null && !priority.isNull()) {
      if (!priority.canConvertToExactIntegral() || !priority.canConvertToInt()) {
        throw new InvalidRequestException("priority", "priority must be a whole number 1-10");
      }
      b.priority(priority.intValue());
    }
    JsonNode key = root.get("idempotencyKey");
    if (key != null && !key.isNull()) {
      if (!key.isTextual()) {
        throw new InvalidRequestException("idempotencyKey", "idempotencyKey must be a string");
      }
      b.idempotencyKey(key.textValue());
    }
    return b.build();
  }
}
