package dev.asyncjobs.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application, whole, on real PostgreSQL (a schema of its own on the server that
 * JOBS_TEST_JDBC_URL names) and a real HTTP port: a generate request answers at once and the
 * worker runs the job; a request that fails after the create leaves neither its row nor its job;
 * health shows the asyncjobs component UP; the Prometheus endpoint shows the asyncjobs meters.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability // Boot turns metrics export off in tests; this test looks at it
@ActiveProfiles("postgres")
class ExampleApplicationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    properties.add("spring.datasource.url", () -> schema.server().url());
    properties.add("spring.datasource.username", () -> schema.server().user());
    properties.add("spring.datasource.password", () -> schema.server().password());
    properties.add("spring.datasource.hikari.schema", schema::name); // the example's own table
    properties.add("asyncjobs.postgres.schema", schema::name);      // the store's tables
    properties.add("example.step", () -> "20ms");
  }

  @LocalServerPort
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String path, String user, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("X-User", user).header("Content-Type", "application/json").timeout(WAIT);
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private long requests(String user) {
    return schema.number("SELECT count(*) FROM " + schema.table("generation_requests") + " WHERE user_id = '" + user + "'");
  }

  private long jobs(String user) {
    return schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE owner_id = '" + user + "'");
  }

  @Test
  void aGenerateRequestAnswersAtOnceAndTheWorkerRunsTheJob() throws Exception {
    HttpResponse<String> created = send("POST", "/api/generate", "ann", "{\"prompt\":\"a lighthouse at dusk\",\"colors\":3}");
    assertThat(created.statusCode()).isEqualTo(202);
    JsonNode job = JSON.readTree(created.body());
    String id = job.get("id").asText();
    assertThat(created.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
    assertThat(requests("ann")).isOne();

    JsonNode done = Waits.untilValue("the job to complete", WAIT,
        () -> JSON.readTree(send("GET", "/api/jobs/" + id, "ann", null).body()), j -> "COMPLETED".equals(j.get("status").asText()));
    assertThat(done.get("progress").asInt()).isEqualTo(100);
    assertThat(done.get("result").get("colors")).hasSize(3);
    // another user cannot see it
    assertThat(send("GET", "/api/jobs/" + id, "bob", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aFailureAfterTheCreateRollsBackTheRowAndTheJob() throws Exception {
    HttpResponse<String> failed = send("POST", "/api/generate", "cid", "{\"prompt\":\"rolled back\",\"failAfterCreate\":true}");
    assertThat(failed.statusCode()).isEqualTo(422);
    assertThat(requests("cid")).isZero();
    assertThat(jobs("cid")).as("no job row: it was created in the rolled-back transaction").isZero();
    // the worker is running (a later job of the same user completes), and it never ran the first
    String id = JSON.readTree(send("POST", "/api/generate", "cid", "{\"prompt\":\"kept\",\"colors\":1}").body()).get("id").asText();
    Waits.untilValue("the later job to complete", WAIT,
        () -> JSON.readTree(send("GET", "/api/jobs/" + id, "cid", null).body()), j -> "COMPLETED".equals(j.get("status").asText()));
    assertThat(jobs("cid")).isOne();
    assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs_events") + " WHERE owner_id = 'cid' AND job_id <> '"
        + id + "'")).as("no event of the rolled-back job: nobody created, claimed or ran it").isZero();
  }

  @Test
  void aBadPayloadIsA400AndStoresNothing() throws Exception {
    HttpResponse<String> bad = send("POST", "/api/generate", "dan", "{\"prompt\":\"x\",\"colors\":99}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("detail").asText()).contains("colors must be 1-12, was 99");
    assertThat(requests("dan")).isZero();
    assertThat(jobs("dan")).isZero();
  }

  @Test
  void aSecondCreateWithinTheQuotasMinimumIntervalIsA429WithRetryAfter() throws Exception {
    assertThat(send("POST", "/api/generate", "fay", "{\"prompt\":\"first\",\"colors\":1}").statusCode()).isEqualTo(202);
    HttpResponse<String> again = send("POST", "/api/generate", "fay", "{\"prompt\":\"second\",\"colors\":1}");
    assertThat(again.statusCode()).isEqualTo(429); // application.properties: at least 10 s apart
    assertThat(JSON.readTree(again.body()).get("code").asText()).isEqualTo("quota_exceeded");
    assertThat(Long.parseLong(again.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 10L);
    assertThat(requests("fay")).as("the refused create's request row rolled back with it").isOne();
  }

  @Test
  void healthShowsTheAsyncjobsComponentUp() throws Exception {
    JsonNode health = Waits.untilValue("the listener to connect", WAIT,
        () -> JSON.readTree(send("GET", "/actuator/health", "ops", null).body()),
        h -> "connected".equals(h.at("/components/asyncjobs/details/listener").asText()));
    assertThat(health.get("status").asText()).isEqualTo("UP");
    JsonNode asyncjobs = health.at("/components/asyncjobs");
    assertThat(asyncjobs.get("status").asText()).isEqualTo("UP");
    assertThat(asyncjobs.at("/details/store").asText()).isEqualTo("PostgresJobStore");
    assertThat(asyncjobs.at("/details/worker").asText()).isEqualTo("running");
  }

  @Test
  void prometheusShowsTheAsyncjobsMetersBesideBootsOwn() throws Exception {
    String id = JSON.readTree(send("POST", "/api/generate", "eve", "{\"prompt\":\"counted\",\"colors\":1}").body())
        .get("id").asText();
    Waits.untilValue("the job to complete", WAIT,
        () -> JSON.readTree(send("GET", "/api/jobs/" + id, "eve", null).body()), j -> "COMPLETED".equals(j.get("status").asText()));
    String metrics = Waits.untilValue("the completion and the queue gauges to show", WAIT, () -> {
      HttpResponse<String> r = send("GET", "/actuator/prometheus", "ops", null);
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }, body -> body.contains("asyncjobs_jobs_completed_total{type=\"palette_generation\"}")
        && body.contains("asyncjobs_jobs_pending{"));
    assertThat(metrics).contains("asyncjobs_jobs_submitted_total{type=\"palette_generation\"}")
        .contains("asyncjobs_attempt_duration_seconds_count{outcome=\"completed\",type=\"palette_generation\"}")
        .contains("jvm_memory_used_bytes").contains("hikaricp_connections");
  }
}
