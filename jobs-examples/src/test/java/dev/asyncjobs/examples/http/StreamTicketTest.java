package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.testing.sse.SseClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/stream-tickets}: the short-lived ticket that opens the event stream in place of
 * the token, which is never accepted in a URL.
 */
class StreamTicketTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TEXT_JOB = "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"ticket\"}}";

  private static TestServer server;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    server = TestServer.builder().start();
    api = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aTicketOpensTheCallersStreamOnceAndExpiresWithinAMinute() {
    String token = server.token("ticket-holder");
    Instant tokenExpires = JWT.decode(token).getExpiresAtAsInstant();

    Response minted = api.post(ApiServer.TICKETS_PATH, token, "");

    assertThat(minted.status()).as(minted.text()).isEqualTo(200);
    assertThat(minted.header("Cache-Control")).isEqualTo("no-store");
    JsonNode body = minted.body();
    String ticket = body.get("ticket").asText();
    assertThat(ticket).isNotEqualTo(token);
    Instant expiresAt = Instant.parse(body.get("expiresAt").asText());
    assertThat(expiresAt).isBetween(Instant.now().minusSeconds(1), Instant.now().plusSeconds(61));
    assertThat(Instant.parse(body.get("streamEndsAt").asText())).as("the stream ends with the token").isEqualTo(tokenExpires);

    try (SseClient stream = SseClient.open(api.http(), api.request(ApiServer.EVENTS_PATH + "?ticket=" + ticket, null))) {
      assertThat(stream.next(WAIT).event()).isEqualTo("ready");
      String id = api.post("/api/generate", token, TEXT_JOB).body().get("id").asText();
      assertThat(stream.next(WAIT).json().get("jobId").asText()).as("the ticket's owner's events").isEqualTo(id);

      Response again = openStream("?ticket=" + ticket);
      assert401(again, "used already");
    }
  }

  @Test
  void aTicketIsNoBearerTokenAndOpensNothingButTheStream() {
    String ticket = ticket(server.token("ticket-elsewhere"));

    assert401(api.get("/api/jobs", ticket), "only opens the event stream");
    assert401(api.get("/api/quota?ticket=" + ticket, null), "bearer token is required");
    assert401(api.post(ApiServer.TICKETS_PATH, ticket, ""), "only opens the event stream");
  }

  @Test
  void theTokenItselfIsRefusedInTheQueryStringWithAClearMessage() {
    String token = server.token("query-token");
    for (String name : new String[] {"token", "access_token"}) {
      Response r = openStream("?" + name + "=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      assert401(r, "not accepted in the URL");
      assertThat(r.body().get("detail").asText()).contains("POST /api/stream-tickets").doesNotContain(token);
      // Even beside a valid header, and on any route: a URL with a token in it is refused.
      assert401(api.get("/api/jobs?" + name + "=" + token, token), "not accepted in the URL");
    }
  }

  @Test
  void anExpiredForgedOrMalformedTicketIsRefused() {
    // Minted by a clock two minutes back: it stopped opening streams a minute ago.
    StreamTickets past = new StreamTickets(server.auth(),
        Clock.fixed(Instant.now().minusSeconds(120), ZoneOffset.UTC), Duration.ofSeconds(60));
    String expired = past.mint("late", Instant.now().plusSeconds(3600)).ticket();
    assert401(openStream("?ticket=" + expired), "expired");

    // Another server's secret: its derived key differs, so the signature does not verify.
    String foreign = new StreamTickets(new JwtAuth(JwtAuth.randomSecret()), Clock.systemUTC(), Duration.ofSeconds(60))
        .mint("mallory", Instant.now().plusSeconds(3600)).ticket();
    assert401(openStream("?ticket=" + foreign), "signature is not valid");

    // The ticket's claims signed with this server's own secret, as a bearer token is: still no ticket.
    String withBearerKey = JWT.create().withSubject("mallory").withAudience(StreamTickets.AUDIENCE)
        .withJWTId(UUID.randomUUID().toString()).withExpiresAt(Instant.now().plusSeconds(60))
        .withClaim(StreamTickets.STREAM_END, Instant.now().plusSeconds(3600).getEpochSecond())
        .sign(Algorithm.HMAC256(TestServer.SECRET));
    assert401(openStream("?ticket=" + withBearerKey), "signature is not valid");

    // A bearer token is no ticket either.
    assert401(openStream("?ticket=" + server.token("mallory")), "signature is not valid");

    assert401(openStream("?ticket=not-a-ticket"), "not a well-formed ticket");
  }

  @Test
  void mintingATicketNeedsTheBearerToken() {
    assert401(api.post(ApiServer.TICKETS_PATH, null, ""), "bearer token is required");
  }

  private static String ticket(String token) {
    Response r = api.post(ApiServer.TICKETS_PATH, token, "");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.body().get("ticket").asText();
  }

  private static Response openStream(String query) {
    return api.send(api.request(ApiServer.EVENTS_PATH + query, null).header("Accept", "text/event-stream").GET());
  }

  private static void assert401(Response r, String detail) {
    assertThat(r.status()).as(r.text()).isEqualTo(401);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("code").asText()).isEqualTo("unauthorized");
    assertThat(r.body().get("detail").asText()).contains(detail);
  }
}
