package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.ManualClock;
import dev.asyncjobs.examples.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/stats?scope=all}: operators only, and one table scan per cache period however many
 * ask; the cache is shown on a manual clock (the manager's), so no test waits.
 */
class CrossTenantStatsTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
  private TestServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    server = TestServer.builder().manager(m -> m.clock(clock)).server(s -> s.statsCacheTtl(Duration.ofSeconds(5))).start();
    api = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void createTextJob(String owner) {
    server.jobs().create(JobRequest.builder(owner, "text_generation").payload("{\"prompt\":\"x\"}").build());
  }

  private long total(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    long total = 0;
    for (JsonNode t : r.body().get("types")) {
      total += t.get("total").asLong();
    }
    return total;
  }

  @Test
  void aTenantTokenIs403Problem() {
    createTextJob("someone-else");

    Response r = api.get("/api/stats?scope=all", server.token("curious-tenant"));

    assertThat(r.status()).as(r.text()).isEqualTo(403);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("code").asText()).isEqualTo("forbidden");
    assertThat(r.text()).doesNotContain("text_generation");
  }

  @Test
  void anOperatorTokenGetsEveryOwnersTotals() {
    createTextJob("tenant-a");
    createTextJob("tenant-b");

    Response r = api.get("/api/stats?scope=all", server.operatorToken("ops"));

    assertThat(r.body().get("scope").asText()).isEqualTo("all");
    assertThat(total(r)).isEqualTo(2);
  }

  @Test
  void theCrossTenantAnswerIsReusedForTheCachePeriodThenRecomputed() {
    String ops = server.operatorToken("ops");
    createTextJob("tenant-a");
    assertThat(total(api.get("/api/stats?scope=all", ops))).isEqualTo(1);

    // Were the table read per call, these would see the new jobs at once.
    createTextJob("tenant-b");
    createTextJob("tenant-c");
    for (int i = 0; i < 20; i++) {
      assertThat(total(api.get("/api/stats?scope=all", ops))).isEqualTo(1);
    }
    clock.advance(Duration.ofMillis(4999));
    assertThat(total(api.get("/api/stats?scope=all", ops))).isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(total(api.get("/api/stats?scope=all", ops))).isEqualTo(3);
  }

  @Test
  void theOwnersOwnStatisticsAreNeverCached() {
    String token = server.token("tenant-a");
    createTextJob("tenant-a");
    assertThat(total(api.get("/api/stats", token))).isEqualTo(1);

    createTextJob("tenant-a");

    assertThat(total(api.get("/api/stats", token))).isEqualTo(2);
  }
}
