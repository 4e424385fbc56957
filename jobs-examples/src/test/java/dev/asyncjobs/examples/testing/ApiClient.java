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
import java.nio.charset.StandardCharsets;
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
  public record Response(int status, java.net.http.HttpHeaders headers, JsonNode body, String text) {
    /** A header value, or null. */
    public @Nullable String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The content type. */
    public String contentType() {
      return headers.firstValue("Content-Type").orElse("");
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

  /**
   * POST over a plain socket that declares {@code body.length} bytes but sends only the first
   * {@code sent} of them, then reads the answer: for a server that must refuse a body on its
   * declared length, without the race between its early answer and a client still uploading.
   */
  public Response postHeadOfLargeBody(String path, @Nullable String token, byte[] body, int sent) {
    URI uri = URI.create(base + path);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(20_000);
      String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
          + (token == null ? "" : "\r\nAuthorization: Bearer " + token) + "\r\nConnection: close\r\n\r\n";
      java.io.OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, Math.min(sent, body.length));
      out.flush();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      if (status == null) {
        throw new UncheckedIOException(new IOException("no answer to " + path));
      }
      int code = Integer.parseInt(status.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      java.util.Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new java.util.ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        String lower = line.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(line.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      StringBuilder text = new StringBuilder();
      if (chunked) {
        for (String size = in.readLine(); size != null && Integer.parseInt(size.trim(), 16) > 0; size = in.readLine()) {
          char[] chunk = new char[Integer.parseInt(size.trim(), 16)];
          int read = 0;
          while (read < chunk.length) {
            int n = in.read(chunk, read, chunk.length - read);
            if (n < 0) {
              break;
            }
            read += n;
          }
          text.append(chunk, 0, read);
          in.readLine();
        }
      } else {
        char[] buf = new char[8192];
        for (int n = in.read(buf); n >= 0 && (length < 0 || text.length() < length); n = in.read(buf)) {
          text.append(buf, 0, n);
        }
      }
      JsonNode json;
      try {
        json = text.length() == 0 ? MissingNode.getInstance() : MAPPER.readTree(text.toString());
      } catch (IOException notJson) {
        json = MissingNode.getInstance();
      }
      return new Response(code, java.net.http.HttpHeaders.of(headers, (k, v) -> true), json, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
      return new Response(r.statusCode(), r.headers(), body, r.body());
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
