package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * An RFC 9457 problem: the status, a stable {@code code}, the members a client acts on ({@code
 * field}, {@code categories}, {@code retryAt}, …) and the headers that go with it ({@code
 * Retry-After}, {@code WWW-Authenticate}).
 *
 * @param status the HTTP status
 * @param code a stable machine-readable code, e.g. {@code quota_exceeded}
 * @param title a short summary of the kind of problem
 * @param detail what went wrong this time, for a person
 * @param members extra members of the JSON body
 * @param headers response headers
 */
public record Problem(
    int status, String code, String title, String detail, ObjectNode members, Map<String, String> headers) {

  /** The media type of a problem body. */
  public static final String CONTENT_TYPE = "application/problem+json";

  /** Copies the header map. */
  public Problem {
    headers = Map.copyOf(headers);
  }

  /** A problem without extra members or headers. */
  public static Problem of(int status, String code, String title, String detail) {
    return new Problem(status, code, title, detail, JsonNodeFactory.instance.objectNode(), Map.of());
  }

  /** The JSON body for a request to {@code instance}. */
  public ObjectNode body(String instance) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", "urn:asyncjobs:problem:" + code);
    o.put("title", title);
    o.put("status", status);
    o.put("detail", detail);
    o.put("code", code);
    o.put("instance", instance);
    o.setAll(members);
    return o;
  }
}
