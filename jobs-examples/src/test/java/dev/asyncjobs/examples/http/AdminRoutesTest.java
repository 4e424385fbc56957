package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operators' routes under {@code /api/admin/}: 403 to every tenant, route by route; what operators see and do. */
class AdminRoutesTest {
  private static final String TYPE = "text_generation";

  private TestServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    server = TestServer.builder().step(Duration.ZERO).start();
    api = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A job of {@code owner} whose one attempt failed with {@code error}. */
  private Job failed(String owner, String error) {
    Job job = server.jobs().create(JobRequest.builder(owner, TYPE).payload("{\"prompt\":\"a harbour\"}").maxAttempts(1).build());
    Job claimed = server.store().claim(new ClaimRequest("w", Set.of(TYPE), 1, Duration.ofMinutes(1))).get(0);
    assertThat(claimed.id()).isEqualTo(job.id());
    return server.store().fail(new Failure(new Lease(claimed.id(), claimed.workerId(), claimed.attempts()), error, null));
  }

  private Response call(String method, String path, String token) {
    return switch (method) {
      case "GET" -> api.get(path, token);
      case "POST" -> api.post(path, token, "{}");
      case "DELETE" -> api.delete(path, token);
      default -> throw new IllegalArgumentException(method);
    };
  }

  @Test
  void everyAdminRouteAnswers403ToATenantAnd401WithoutATokenAndChangesNothing() {
    Job job = failed("admin-alice", "provider timeout");
    String tenant = server.token("admin-alice");
    List<String[]> routes = List.of(
        new String[] {"GET", "/api/admin/jobs"},
        new String[] {"GET", "/api/admin/jobs/" + job.id()},
        new String[] {"POST", "/api/admin/jobs/" + job.id() + "/retry"},
        new String[] {"POST", "/api/admin/jobs/" + job.id() + "/cancel"},
        new String[] {"DELETE", "/api/admin/jobs/" + job.id()},
        new String[] {"GET", "/api/admin/queues"},
        new String[] {"GET", "/api/admin/throughput"},
        new String[] {"POST", "/api/admin/types/" + TYPE + "/pause"},
        new String[] {"POST", "/api/admin/types/" + TYPE + "/resume"},
        new String[] {"GET", "/api/admin/events"},
        new String[] {"GET", "/api/admin/no-such-route"});
    for (String[] route : routes) {
      Response forbidden = call(route[0], route[1], tenant);
      assertThat(forbidden.status()).as(route[0] + " " + route[1] + ": " + forbidden.text()).isEqualTo(403);
      assertThat(forbidden.text()).doesNotContain("provider timeout");
      assertThat(call(route[0], route[1], null).status()).as(route[0] + " " + route[1] + " without a token").isEqualTo(401);
    }
    assertThat(server.jobs().get("admin-alice", job.id())).isEqualTo(job);
    assertThat(server.jobs().limits()).noneMatch(l -> l.paused());
  }

  @Test
  void anOperatorFindsAFailureAcrossOwnersReadsItsErrorRetriesItAndSeesItComplete() {
    Job bad = failed("admin-bob", "provider timeout after 30 s");
    failed("admin-carol", "content refused");
    String operator = server.operatorToken("ops-1");

    Response found = api.get("/api/admin/jobs?status=FAILED&error=TIMEOUT", operator);
    assertThat(found.status()).as(found.text()).isEqualTo(200);
    assertThat(found.body().get("items")).hasSize(1);
    JsonNode item = found.body().get("items").get(0);
    assertThat(item.get("id").asText()).isEqualTo(bad.id().toString());
    assertThat(item.get("ownerId").asText()).isEqualTo("admin-bob");
    assertThat(item.get("error").asText()).as("operators read the stored error").isEqualTo("provider timeout after 30 s");
    assertThat(api.get("/api/admin/jobs?owner=admin-carol", operator).body().get("items")).hasSize(1);

    Response detail = api.get("/api/admin/jobs/" + bad.id(), operator);
    assertThat(detail.status()).isEqualTo(200);
    assertThat(detail.body().get("attemptErrors")).hasSize(1);
    assertThat(detail.body().get("attemptErrors").get(0).get("message").asText()).isEqualTo("provider timeout after 30 s");
    assertThat(detail.body().get("attemptErrors").get(0).get("gaveUp").asBoolean()).isTrue();
    assertThat(detail.body().get("events")).extracting(e -> e.get("kind").asText()).containsExactly("CREATED", "STARTED", "FAILED");

    Response retried = api.post("/api/admin/jobs/" + bad.id() + "/retry", operator, "{}");
    assertThat(retried.status()).as(retried.text()).isEqualTo(200);
    assertThat(retried.body().get("status").asText()).isEqualTo("PENDING");
    assertThat(retried.body().get("maxAttempts").asInt()).isEqualTo(2);
    Job done = ManualWorker.of(server.jobs()).runNext().orElseThrow();
    assertThat(done.id()).isEqualTo(bad.id());
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(api.post("/api/admin/jobs/" + bad.id() + "/retry", operator, "{}").status()).as("a completed job").isEqualTo(409);

    Response throughput = api.get("/api/admin/throughput?window=PT1H&bucket=PT5M", operator);
    assertThat(throughput.status()).as(throughput.text()).isEqualTo(200);
    assertThat(throughput.body().get("points")).extracting(p -> p.get("completed").asLong()).contains(1L);

    Response deleted = api.delete("/api/admin/jobs/" + bad.id(), operator);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(api.get("/api/admin/jobs/" + bad.id(), operator).status()).isEqualTo(404);
  }

  @Test
  void anOperatorPausesAndResumesATypeCancelsAnyOwnersJobAndReadsTheQueues() {
    String operator = server.operatorToken("ops-2");
    Job waiting = server.jobs().create(JobRequest.builder("admin-dave", TYPE).payload("{\"prompt\":\"dunes\"}").build());

    assertThat(api.post("/api/admin/types/" + TYPE + "/pause", operator, "{}").status()).isEqualTo(204);
    JsonNode queues = api.get("/api/admin/queues", operator).body().get("queues");
    JsonNode text = null;
    for (JsonNode q : queues) {
      if (q.get("type").asText().equals(TYPE)) {
        text = q;
      }
    }
    assertThat(text).as(queues.toString()).isNotNull();
    assertThat(text.get("paused").asBoolean()).isTrue();
    assertThat(text.get("pending").asLong()).isEqualTo(1);
    assertThat(text.get("due").asLong()).isEqualTo(1);
    assertThat(ManualWorker.of(server.jobs()).runDue()).as("paused: nothing starts").isEmpty();
    assertThat(api.post("/api/admin/types/" + TYPE + "/resume", operator, "{}").status()).isEqualTo(204);

    Response cancelled = api.post("/api/admin/jobs/" + waiting.id() + "/cancel", operator, "{}");
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.body().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(api.delete("/api/admin/jobs/" + java.util.UUID.randomUUID(), operator).status()).isEqualTo(404);
  }

  @Test
  void anOperatorsStreamCarriesEveryOwnersEventsLive() throws Exception {
    try (dev.asyncjobs.testing.sse.SseClient stream = dev.asyncjobs.testing.sse.SseClient.open(api.http(),
        api.request("/api/admin/events", server.operatorToken("ops-4")))) {
      assertThat(stream.next(Duration.ofSeconds(10)).event()).isEqualTo("ready");
      Job alices = server.jobs().create(JobRequest.builder("admin-frank", TYPE).payload("{\"prompt\":\"a\"}").build());
      Job bobs = server.jobs().create(JobRequest.builder("admin-gina", TYPE).payload("{\"prompt\":\"b\"}").build());
      List<dev.asyncjobs.testing.sse.SseClient.Event> events = stream.until(
          e -> e.json().get("jobId").asText().equals(bobs.id().toString()), Duration.ofSeconds(10));
      assertThat(events).extracting(e -> e.json().get("jobId").asText()).contains(alices.id().toString(), bobs.id().toString());
    }
    // a tenant's stream stays its own (the operators' one is refused above): the same route family, not the same rights
    assertThat(api.get("/api/admin/events", server.token("admin-frank")).status()).isEqualTo(403);
  }

  @Test
  void badParametersAreTypedErrors() {
    String operator = server.operatorToken("ops-3");
    for (String path : List.of("/api/admin/jobs?sort=sideways", "/api/admin/jobs?status=LOST", "/api/admin/jobs?limit=many",
        "/api/admin/jobs?error=" + "x".repeat(201), "/api/admin/jobs?createdAfter=yesterday",
        "/api/admin/throughput?window=an-hour", "/api/admin/throughput?window=PT720H&bucket=PT1S",
        "/api/admin/jobs/not-a-uuid")) {
      Response r = api.get(path, operator);
      assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(400);
      assertThat(r.contentType()).startsWith("application/problem+json");
    }
    Job waiting = server.jobs().create(JobRequest.builder("admin-erin", TYPE).payload("{\"prompt\":\"snow\"}").build());
    assertThat(api.post("/api/admin/jobs/" + waiting.id() + "/retry", operator, "{}").status()).isEqualTo(409);
    assertThat(api.delete("/api/admin/jobs/" + waiting.id(), operator).status()).isEqualTo(409);
    assertThat(server.jobs().get("admin-erin", waiting.id()).status()).isEqualTo(JobStatus.PENDING);
  }
}
