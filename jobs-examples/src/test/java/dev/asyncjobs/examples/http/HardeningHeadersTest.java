package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.RawHttp;
import dev.asyncjobs.examples.testing.TestServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The headers every answer carries, the page's CSP, Jetty's own refusals as problem JSON, and
 * only JSON bodies on the JSON routes; read with a real client, or a bare socket where no client
 * would send the request.
 */
class HardeningHeadersTest {
  private static final String JOB = "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"}}";
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

  private static void assertNoStoreNoSniff(Response r) {
    assertThat(r.header("Cache-Control")).as("Cache-Control of %s", r.text()).isEqualTo("no-store");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void apiAnswersAreNeitherCachedNorSniffed() {
    String token = server.token("headers");
    assertNoStoreNoSniff(api.get("/api/jobs", token));
    assertNoStoreNoSniff(api.post("/api/generate", token, JOB));
    assertNoStoreNoSniff(api.get("/api/quota", token));
    assertNoStoreNoSniff(api.get("/healthz", null));
  }

  @Test
  void errorAnswersCarryThemToo() {
    assertNoStoreNoSniff(api.get("/api/jobs", null));
    assertNoStoreNoSniff(api.get("/api/nothing-here", server.token("headers")));
    assertNoStoreNoSniff(api.get("/api/jobs/not-a-uuid", server.token("headers")));
  }

  @Test
  void thePageMayNotBeFramedNorRebasedNorPostFormsElsewhere() {
    Response page = api.get("/", null);

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Security-Policy"))
        .contains("frame-ancestors 'none'").contains("base-uri 'none'").contains("form-action 'self'")
        .contains("script-src 'self'");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
  })
  void aBodyThatIsNotJsonIs415AndStoresNothing(String contentType) {
    String token = server.token("not-json");
    Response r = api.send(api.request("/api/generate", token).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(JOB)));

    assertThat(r.status()).as(r.text()).isEqualTo(415);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("code").asText()).isEqualTo("unsupported_media_type");
    assertThat(r.body().get("detail").asText()).contains("application/json");
    assertThat(api.get("/api/jobs", token).body().get("items")).isEmpty();
  }

  @Test
  void aBodyWithoutAContentTypeIs415() {
    Response r = api.send(api.request("/api/generate", server.token("no-type"))
        .POST(HttpRequest.BodyPublishers.ofString(JOB)));

    assertThat(r.status()).as(r.text()).isEqualTo(415);
  }

  @Test
  void jsonWithACharsetIsAccepted() {
    Response r = api.send(api.request("/api/generate", server.token("charset"))
        .header("Content-Type", "application/json; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(JOB)));

    assertThat(r.status()).as(r.text()).isEqualTo(202);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "NUL in the path          | 400 | GET /api/jobs/%00 HTTP/1.1",
      "not an HTTP request line | 400 | HELLO",
      "URI over the limit       | 414 | GET /api/jobs?x=LONG HTTP/1.1",
      "header over the limit    | 431 | GET /api/jobs HTTP/1.1 NEWLINE X-Big: LONG",
  })
  void jettysOwnRefusalsAreProblemJsonToo(String name, int status, String requestLine) throws Exception {
    String request = requestLine.replace("LONG", "a".repeat(20_000)).replace(" NEWLINE ", "\r\n");
    try (RawHttp raw = RawHttp.connect(server.server().port(), Duration.ofSeconds(10))) {
      raw.write(request + "\r\nHost: 127.0.0.1\r\n\r\n");

      RawHttp.Answer answer = raw.read();

      assertThat(answer.status()).as(answer.body()).isEqualTo(status);
      assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
      assertThat(answer.body()).doesNotContain("<html").doesNotContain("Jetty").doesNotContain("<pre>");
      assertThat(ApiClient.json(answer.body()).get("status").asInt()).isEqualTo(status);
      assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
    }
  }
}
