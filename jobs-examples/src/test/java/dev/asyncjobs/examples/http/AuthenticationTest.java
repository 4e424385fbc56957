package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every /api/ route refuses a missing, expired or forged token with 401; nothing else is open. */
class AuthenticationTest {
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

  private static void assert401(Response r, boolean invalidToken) {
    assertThat(r.status()).as(r.text()).isEqualTo(401);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("code").asText()).isEqualTo("unauthorized");
    String challenge = r.header("WWW-Authenticate");
    assertThat(challenge).startsWith("Bearer realm=\"asyncjobs\"");
    if (invalidToken) {
      assertThat(challenge).contains("error=\"invalid_token\"");
    } else {
      assertThat(challenge).doesNotContain("error=");
    }
  }

  private static final List<String> API_GETS =
      List.of("/api/jobs", "/api/jobs/0191e5b0-0000-7000-8000-000000000000", "/api/quota", "/api/stats");

  @Test
  void everyRouteNeedsAToken() {
    for (String path : API_GETS) {
      assert401(api.get(path, null), false);
    }
    assert401(api.post("/api/generate", null, "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"}}"), false);
    assert401(api.delete("/api/jobs/0191e5b0-0000-7000-8000-000000000000", null), false);
    assert401(api.send(api.request("/api/jobs/events", null).header("Accept", "text/event-stream").GET()), false);
  }

  @Test
  void anExpiredTokenIs401() {
    Instant past = Instant.now().minus(Duration.ofHours(2));
    String expired = server.auth().issue("alice", past, past.plus(Duration.ofHours(1)));

    Response r = api.get("/api/jobs", expired);

    assert401(r, true);
    assertThat(r.body().get("detail").asText()).contains("expired");
  }

  @Test
  void aTamperedTokenIs401() {
    String token = server.token("alice");
    String[] parts = token.split("\\.");
    // Same signature, but the payload now claims to be bob.
    String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"alice\"", "\"bob\"").getBytes(StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + forgedClaims + "." + parts[2];

    Response r = api.get("/api/jobs", tampered);

    assert401(r, true);
    assertThat(r.body().get("detail").asText()).contains("signature");
  }

  @Test
  void aTokenSignedWithAnotherSecretIs401() {
    String other = new JwtAuth("another-secret-that-is-also-long-enough!!").issue("alice", Duration.ofHours(1));

    assert401(api.get("/api/jobs", other), true);
  }

  @Test
  void anUnsignedTokenIs401() {
    String none = JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.none());

    assert401(api.get("/api/jobs", none), true);
  }

  @Test
  void aTokenWithoutExpiryOrSubjectIs401() {
    Algorithm hs256 = Algorithm.HMAC256(TestServer.SECRET);
    String noExp = JWT.create().withSubject("alice").sign(hs256);
    String noSub = JWT.create().withExpiresAt(Instant.now().plusSeconds(600)).sign(hs256);

    assertThat(api.get("/api/jobs", noExp).body().get("detail").asText()).contains("'exp'");
    assert401(api.get("/api/jobs", noExp), true);
    assert401(api.get("/api/jobs", noSub), true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not-a-jwt", "a.b.c", "Basic YWxpY2U6c2VjcmV0"})
  void malformedCredentialsAre401(String credential) {
    HttpRequest.Builder request = api.request("/api/jobs", null);
    request.header("Authorization", credential.startsWith("Basic") ? credential : "Bearer " + credential);

    assert401(api.send(request.GET()), true);
  }

  @Test
  void aTokenInTheQueryIsRefusedOnEveryRoute() {
    String token = server.token("alice");

    assert401(api.get("/api/jobs?access_token=" + token, null), false);
    assert401(api.get("/api/jobs/events?access_token=" + token, null), false);
  }

  @Test
  void aValidTokenPasses() {
    Response r = api.get("/api/jobs", server.token("alice"));

    assertThat(r.status()).isEqualTo(200);
  }
}
