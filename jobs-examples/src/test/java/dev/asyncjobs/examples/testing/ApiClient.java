package dev.asyncjobs.examples.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A small JSON client over {@link HttpClient}: real requests on a real socket. */
public final class ApiClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ApiClient(String base) {
    this.base = base;
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:40123}. */
  public String base() {
    return base;
  }

  /** The underlying client (for streams). */
  public HttpClient http() {
    return http;
  }

  /**
   * A response.
   *
   * @param status HTTP status
   * @param response the raw response (headers)
   * @param body the body as JSON, or a missing node when empty or not JSON
   * @param text the body as text
   */
  public record Response(int status, HttpResponse<String> response, JsonNode body, String text) {
    /** A header value, or null. */
    public @Nullable String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    /** The content type. */
    public String contentType() {
      return response.headers().firstValue("Content-Type").orElse("");
    }
  }

  /** GET with a bearer token (or none when null). */
  public Response get(String path, @Nullable String token) {
    return send(request(path, token).GET());
  }

  /** DELETE with a bearer token. */
  public Response delete(String path, @Nullable String token) {
    return send(request(path, token).DELETE());
  }

  /** POST of a JSON text with a bearer token. */
  public Response post(String path, @Nullable String token, String json) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** POST of raw bytes with a bearer token. */
  public Response post(String path, @Nullable String token, byte[] body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** Any request, built by the caller. */
  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = r.body().isEmpty() ? MissingNode.getInstance() : MAPPER.readTree(r.body());
      } catch (IOException notJson) {
        body = MissingNode.getInstance();
      }
      return new Response(r.statusCode(), r, body, r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A request to {@code path} with the bearer token, if any. */
  public HttpRequest.Builder request(String path, @Nullable String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** Parses JSON text. */
  public static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
