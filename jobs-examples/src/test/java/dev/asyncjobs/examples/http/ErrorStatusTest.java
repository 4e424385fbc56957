package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every error status of the API, as application/problem+json with the member a client acts on;
 * and a refused request changes nothing.
 */
class ErrorStatusTest {
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

  private static void assertProblem(Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("status").asInt()).isEqualTo(status);
    assertThat(r.body().get("code").asText()).isEqualTo(code);
    assertThat(r.body().get("type").asText()).isEqualTo("urn:asyncjobs:problem:" + code);
    assertThat(r.body().get("title").asText()).isNotBlank();
    assertThat(r.body().get("detail").asText()).isNotBlank();
  }

  private static void assertNothingStored(String token) {
    assertThat(api.get("/api/jobs", token).body().get("items")).isEmpty();
    assertThat(api.get("/api/quota", token).body().get("usedLastHour").asInt()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "not JSON                | {type:                                                          | invalid_request | body",
      "not an object           | [1,2]                                                           | invalid_request | body",
      "unknown envelope field  | {\"type\":\"text_generation\",\"payload\":{},\"colour\":1}        | invalid_request | colour",
      "missing type            | {\"payload\":{\"prompt\":\"x\"}}                                 | invalid_request | type",
      "missing payload         | {\"type\":\"text_generation\"}                                   | invalid_request | payload",
      "unknown type            | {\"type\":\"poem_generation\",\"payload\":{\"prompt\":\"x\"}}     | unknown_type    | type",
      "payload not an object   | {\"type\":\"text_generation\",\"payload\":[1]}                    | invalid_payload | payload",
      "blank prompt            | {\"type\":\"text_generation\",\"payload\":{\"prompt\":\" \"}}      | invalid_payload | payload.prompt",
      "unknown payload field   | {\"type\":\"image_generation\",\"payload\":{\"prompt\":\"x\",\"sise\":1}} | invalid_payload | payload.sise",
      "payload value range     | {\"type\":\"video_generation\",\"payload\":{\"prompt\":\"x\",\"durationSeconds\":9000}} | invalid_payload | payload.durationSeconds",
      "payload value not listed | {\"type\":\"image_generation\",\"payload\":{\"prompt\":\"x\",\"quality\":\"ultra\"}} | invalid_payload | payload.quality",
      "payload value type      | {\"type\":\"video_generation\",\"payload\":{\"prompt\":\"x\",\"durationSeconds\":\"long\"}} | invalid_payload | payload.durationSeconds",
      "priority out of range   | {\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"},\"priority\":11} | invalid_request | priority",
      "priority not a number   | {\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"},\"priority\":\"high\"} | invalid_request | priority",
      "key not a string        | {\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"},\"idempotencyKey\":5} | invalid_request | idempotencyKey",
  })
  void badCreatesAre400WithTheFieldAndStoreNothing(String name, String body, String code, String field) {
    String token = server.token("bad-create-" + name.replace(' ', '-'));

    Response r = api.post("/api/generate", token, body);

    assertProblem(r, 400, code);
    assertThat(r.body().get("field").asText()).isEqualTo(field);
    assertNothingStored(token);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/api/jobs?status=sleeping    | status",
      "/api/jobs?limit=0            | limit",
      "/api/jobs?limit=501          | limit",
      "/api/jobs?limit=ten          | limit",
      "/api/jobs?cursor=bm9wZQ      | cursor",
      "/api/jobs/not-a-uuid         | id",
      "/api/stats?scope=everyone    | scope",
  })
  void badQueriesAre400WithTheField(String path, String field) {
    Response r = api.get(path, server.token("bad-query"));

    assertProblem(r, 400, "invalid_request");
    assertThat(r.body().get("field").asText()).isEqualTo(field);
  }

  @Test
  void anUnknownJobIs404() {
    String id = UUID.randomUUID().toString();
    Response r = api.get("/api/jobs/" + id, server.token("nobody"));

    assertProblem(r, 404, "not_found");
    assertThat(r.body().get("jobId").asText()).isEqualTo(id);
    assertProblem(api.delete("/api/jobs/" + id, server.token("nobody")), 404, "not_found");
  }

  @Test
  void anUnknownRouteIs404ProblemToo() {
    assertProblem(api.get("/api/nothing-here", server.token("nobody")), 404, "not_found");
  }

  @Test
  void cancellingAFinishedJobIs409() {
    String token = server.token("conflict-cancel");
    String id = api.post("/api/generate", token, "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"}}")
        .body().get("id").asText();
    assertThat(api.delete("/api/jobs/" + id, token).status()).isEqualTo(200);

    Response r = api.delete("/api/jobs/" + id, token);

    assertProblem(r, 409, "illegal_state");
    assertThat(r.body().get("jobStatus").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void reusingAnIdempotencyKeyWithAnotherPayloadIs409() {
    String token = server.token("conflict-key");
    String first = api.post("/api/generate", token,
        "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"one\"},\"idempotencyKey\":\"same\"}")
        .body().get("id").asText();

    Response r = api.post("/api/generate", token,
        "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"two\"},\"idempotencyKey\":\"same\"}");

    assertProblem(r, 409, "idempotency_conflict");
    assertThat(r.body().get("existingJobId").asText()).isEqualTo(first);
    assertThat(api.get("/api/jobs", token).body().get("items")).hasSize(1);
  }

  @Test
  void aPayloadOverOneMebibyteIs413FromTheManager() {
    String token = server.token("too-large-payload");
    // The body (about 1 MiB + 40 bytes) passes the server's body limit; the payload is over the
    // manager's 1 MiB, which answers with the exact sizes.
    String prompt = "a".repeat(1024 * 1024);
    Response r = api.post("/api/generate", token,
        "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"" + prompt + "\"}}");

    assertProblem(r, 413, "payload_too_large");
    assertThat(r.body().get("field").asText()).isEqualTo("payload");
    assertThat(r.body().get("limitBytes").asLong()).isEqualTo(1024 * 1024);
    assertThat(r.body().get("sizeBytes").asLong()).isGreaterThan(1024 * 1024);
    assertNothingStored(token);
  }

  @Test
  void aBodyOverTheServerLimitIs413WithoutBeingReadWhole() {
    String token = server.token("too-large-body");
    byte[] body = new byte[3 * 1024 * 1024];
    Arrays.fill(body, (byte) ' ');
    byte[] head = "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, body, 0, head.length);

    // The refusal comes from the declared length, before the body is read: send the headers and
    // the first part only, then read the answer. (Sending all 3 MB races the server's early 413
    // and close: the client may then see a reset instead of the answer.)
    Response r = api.postHeadOfLargeBody("/api/generate", token, body, 64 * 1024);

    assertProblem(r, 413, "payload_too_large");
    assertThat(r.body().get("field").asText()).isEqualTo("body");
    assertThat(r.body().get("limitBytes").asLong()).isEqualTo(1024 * 1024 + 64 * 1024);
    assertNothingStored(token);
  }

  @Test
  void aModeratedPromptIs422WithTheCategories() {
    String token = server.token("moderated");

    Response r = api.post("/api/generate", token,
        "{\"type\":\"image_generation\",\"payload\":{\"prompt\":\"a scene full of GORE\"}}");

    assertProblem(r, 422, "content_rejected");
    assertThat(r.body().get("categories")).hasSize(1);
    assertThat(r.body().get("categories").get(0).asText()).isEqualTo("violence");
    assertNothingStored(token);
  }

  @Test
  void theEventStreamWithoutAcceptEventStreamIs406() {
    Response r = api.send(api.request("/api/jobs/events", server.token("no-accept")).GET());

    assertProblem(r, 406, "not_acceptable");
  }

  @Test
  void errorsOnOtherMethodsAreProblemsToo() {
    Response r = api.send(api.request("/api/jobs", server.token("method")).PUT(HttpRequest.BodyPublishers.noBody()));

    assertThat(r.status()).isIn(404, 405);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }
}
