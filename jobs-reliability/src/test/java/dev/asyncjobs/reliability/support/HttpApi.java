package dev.asyncjobs.reliability.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.examples.http.ApiServer;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.testing.sse.SseClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The example HTTP API ({@code jobs-examples}' {@link ApiServer}) over a test's own {@link
 * JobManager}, on a free local port, and a plain {@code java.net.http} client for it. Tokens are
 * HS256 JWTs whose subject is the owner; {@link #forgedToken} signs whatever a test needs,
 * including what the app itself would never issue.
 */
public final class HttpApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** The audience of the server's stream tickets. */
  private static final String TICKET_AUDIENCE = "asyncjobs:event-stream";

  /** One response, its body read as text. */
  public record Response(int status, @Nullable String contentType, String body) {
    /** The body as JSON. */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }
  }

  private final String secret = JwtAuth.randomSecret();
  private final JwtAuth auth = new JwtAuth(secret);
  private final ApiServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final URI base;

  /** Starts the API over {@code jobs}; {@code settings} may adjust the server (queue sizes, heartbeat). */
  public HttpApi(JobManager jobs, UnaryOperator<ApiServer.Builder> settings) {
    this.server = settings.apply(ApiServer.builder(jobs, auth).host("127.0.0.1").port(0)).start();
    this.base = URI.create("http://127.0.0.1:" + server.port());
  }

  /** Starts the API over {@code jobs} with the default settings. */
  public HttpApi(JobManager jobs) {
    this(jobs, b -> b);
  }

  /** The server. */
  public ApiServer server() {
    return server;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI base() {
    return base;
  }

  /** A valid token for {@code owner}, for an hour. */
  public String token(String owner) {
    return forgedToken(secret, owner, Instant.now().plus(Duration.ofHours(1)));
  }

  /** A token signed with this server's secret for any subject, even one the app would not issue. */
  public String tokenWithAnySubject(String subject) {
    return forgedToken(secret, subject, Instant.now().plus(Duration.ofHours(1)));
  }

  /**
   * A token signed with this server's secret whose claims are exactly {@code claimsJson}, escapes
   * and all: a JWT library would never write an unpaired surrogate as {@code \ud800}, but an
   * identity provider might.
   */
  public String tokenWithRawClaims(String claimsJson) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    byte[] header = b64.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    byte[] claims = b64.encode(claimsJson.getBytes(StandardCharsets.UTF_8));
    byte[] signature = Algorithm.HMAC256(secret).sign(header, claims);
    return new String(header, StandardCharsets.US_ASCII) + "." + new String(claims, StandardCharsets.US_ASCII) + "."
        + b64.encodeToString(signature);
  }

  /** A token of {@code owner} signed with this server's secret that expired a minute ago. */
  public String expiredToken(String owner) {
    return forgedToken(secret, owner, Instant.now().minusSeconds(60));
  }

  /** An HS256 token of {@code subject} signed with {@code secret}, expiring at {@code expires}. */
  public static String forgedToken(String secret, String subject, Instant expires) {
    return JWT.create().withSubject(subject).withIssuedAt(Instant.now().minusSeconds(60)).withExpiresAt(expires)
        .sign(Algorithm.HMAC256(secret));
  }

  /** A request builder for {@code path} (with query) with the bearer token, unless it is null. */
  public HttpRequest.Builder request(@Nullable String token, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /** Sends a request and reads the whole body. */
  public Response send(HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("HTTP " + request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code POST path} with a JSON body. */
  public Response post(@Nullable String token, String path, String body) {
    return send(request(token, path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
  }

  /**
   * {@code POST path} with a body the server is expected to refuse for its size, sent as curl
   * sends large bodies: the headers with {@code Expect: 100-continue} first, the body only after a
   * {@code 100 Continue}. The server refuses from the declared length alone, so the body is never
   * sent; without the wait its early answer would race the client still writing the body. On a
   * bare socket, because {@code java.net.http} of Java 17 waits forever for a {@code 100} that an
   * early final answer never brings.
   */
  public Response postOversized(@Nullable String token, String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return raw(postHead(token, path, bytes.length, "Expect: 100-continue\r\n"), bytes);
  }

  /**
   * {@code POST path} whose headers declare a body of {@code declaredLength} bytes and send none
   * of it, on a bare socket ({@code java.net.http} computes {@code Content-Length} itself): an
   * answer can only come from the headers.
   */
  public Response postDeclaringLength(@Nullable String token, String path, long declaredLength) {
    return raw(postHead(token, path, declaredLength, ""), null);
  }

  private String postHead(@Nullable String token, String path, long length, String extra) {
    return "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
        + "Content-Length: " + length + "\r\n" + extra + "Connection: close\r\n\r\n";
  }

  /** Sends {@code head}; sends {@code body} only if the server asks for it with a 100; reads the answer. */
  private Response raw(String head, byte @Nullable [] body) {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      RawHead answer = RawHead.read(in);
      if (answer.status() == 100 && body != null) {
        out.write(body);
        out.flush();
        answer = RawHead.read(in);
      }
      String length = answer.header("content-length");
      byte[] content = length != null ? in.readNBytes(Integer.parseInt(length)) : in.readAllBytes();
      return new Response(answer.status(), answer.header("content-type"), new String(content, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("raw request failed: " + head.lines().findFirst().orElse(""), e);
    }
  }

  /** The status line and headers of an answer read off a socket. */
  private record RawHead(int status, Map<String, String> headers) {
    static RawHead read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          break;
        }
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      if (lines.length == 0 || lines[0].isEmpty()) {
        throw new IOException("the server closed the connection without answering");
      }
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
      }
      return new RawHead(Integer.parseInt(lines[0].split(" ")[1]), headers);
    }

    @Nullable String header(String name) {
      return headers.get(name);
    }
  }

  /** A stream ticket of {@code owner}, minted by the server ({@code POST /api/stream-tickets}). */
  public String ticket(String owner) {
    Response r = post(token(owner), ApiServer.TICKETS_PATH, "");
    if (r.status() != 200) {
      throw new AssertionError("minting a ticket answered " + r.status() + ": " + r.body());
    }
    return r.json().get("ticket").asText();
  }

  /**
   * A stream ticket of {@code subject} signed as the server signs them (under the key derived
   * from its secret for the event stream), opening streams until {@code expires}: what the server
   * would never issue, e.g. one that expired.
   */
  public String forgedTicket(String subject, Instant expires) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] key = mac.doFinal(TICKET_AUDIENCE.getBytes(StandardCharsets.UTF_8));
      return ticketClaims(subject, expires).sign(Algorithm.HMAC256(key));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A ticket's claims signed with the server's bearer secret itself: a forgery. */
  public String ticketSignedWithTheBearerKey(String subject) {
    return ticketClaims(subject, Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256(secret));
  }

  private static com.auth0.jwt.JWTCreator.Builder ticketClaims(String subject, Instant expires) {
    return JWT.create().withSubject(subject).withAudience(TICKET_AUDIENCE).withJWTId(java.util.UUID.randomUUID().toString())
        .withExpiresAt(expires).withClaim("stream_exp", Instant.now().plusSeconds(3600).getEpochSecond());
  }

  /** {@code GET /api/jobs/events} + {@code query}, as a browser's EventSource asks: no header. */
  public Response openStream(String query) {
    return send(request(null, ApiServer.EVENTS_PATH + query).header("Accept", "text/event-stream").GET().build());
  }

  /** {@code GET path}. */
  public Response get(@Nullable String token, String path) {
    return send(request(token, path).GET().build());
  }

  /** {@code DELETE path}. */
  public Response delete(@Nullable String token, String path) {
    return send(request(token, path).DELETE().build());
  }

  /** The client, for streaming requests (SSE). */
  public HttpClient client() {
    return client;
  }

  /** Opens the caller's event stream ({@code GET /api/jobs/events}) with {@code token}, for as long as a test runs. */
  public SseClient events(String token) {
    return events(token, "");
  }

  /**
   * Opens the event stream {@code GET /api/jobs/events} + {@code query} with {@code token} (none
   * when null) and keeps reading it until closed; fails unless the server answers 200.
   */
  public SseClient events(@Nullable String token, String query) {
    return SseClient.open(client, request(token, ApiServer.EVENTS_PATH + query).timeout(Duration.ofHours(1)));
  }

  /** Stops the server (ending its event streams). */
  @Override
  public void close() {
    server.close();
  }
}
