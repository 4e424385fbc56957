package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.examples.ExamplePrices;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.math.BigDecimal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/usage}: what the caller's jobs consumed and cost in a window; everyone's for operators only. */
class UsageRouteTest {
  private TestServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    server = TestServer.builder().step(java.time.Duration.ZERO).manager(m -> m.prices(ExamplePrices.TABLE)).start();
    api = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Job runTextJob(String owner) {
    Job job = server.jobs().create(JobRequest.builder(owner, "text_generation").payload("{\"prompt\":\"lighthouses\"}").build());
    Job done = ManualWorker.of(server.jobs()).runNext().orElseThrow();
    assertThat(done.id()).isEqualTo(job.id());
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    return done;
  }

  @Test
  void theCallersUsageOfThisMonthIsPricedByType() {
    Job mine = runTextJob("usage-alice");
    runTextJob("usage-bob");

    Response r = api.get("/api/usage", server.token("usage-alice"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode body = r.body();
    assertThat(body.get("scope").asText()).isEqualTo("owner");
    java.time.ZonedDateTime month = mine.createdAt().atZone(java.time.ZoneOffset.UTC).withDayOfMonth(1)
        .truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    assertThat(body.get("from").asText()).isEqualTo(month.toInstant().toString());
    assertThat(body.get("to").asText()).isEqualTo(month.plusMonths(1).toInstant().toString());
    assertThat(body.get("currency").asText()).isEqualTo("USD");
    assertThat(body.get("types")).hasSize(1);
    JsonNode line = body.get("types").get(0);
    assertThat(line.get("type").asText()).isEqualTo("text_generation");
    assertThat(line.get("jobs").asLong()).isEqualTo(1);
    long in = mine.usage().amount("demo-text-1", dev.asyncjobs.Usage.Unit.INPUT_TOKENS).longValueExact();
    long out = mine.usage().amount("demo-text-1", dev.asyncjobs.Usage.Unit.OUTPUT_TOKENS).longValueExact();
    assertThat(line.get("usage").get("demo-text-1").get("input_tokens").asLong()).isEqualTo(in);
    BigDecimal expected = ExamplePrices.TABLE.costOf(mine.usage()).amount();
    assertThat(line.get("cost").decimalValue()).isEqualByComparingTo(expected);
    assertThat(expected).isEqualByComparingTo(new BigDecimal(in).multiply(new BigDecimal("0.0000001"))
        .add(new BigDecimal(out).multiply(new BigDecimal("0.0000004"))));
    assertThat(body.get("total").get("jobs").asLong()).isEqualTo(1);
    assertThat(body.get("unpriced").isEmpty()).isTrue();
    assertThat(r.text()).doesNotContain("usage-bob");
  }

  @Test
  void aWindowWithoutJobsIsEmptyAndEveryonesUsageIsForOperatorsOnly() {
    runTextJob("usage-carol");

    Response before = api.get("/api/usage?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", server.token("usage-carol"));
    assertThat(before.status()).isEqualTo(200);
    assertThat(before.body().get("types")).isEmpty();
    assertThat(before.body().get("total").get("cost").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);

    assertThat(api.get("/api/usage?scope=all", server.token("usage-carol")).status()).isEqualTo(403);
    Response all = api.get("/api/usage?scope=all", server.operatorToken("ops"));
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.body().get("total").get("jobs").asLong()).isEqualTo(1);
  }

  @Test
  void badQueriesAreTyped400sThatChangeNothing() {
    String token = server.token("usage-dave");
    for (String[] c : new String[][] {
        {"/api/usage?from=yesterday", "from"},
        {"/api/usage?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "to"},
        {"/api/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
        {"/api/usage?scope=everyone", "scope"}}) {
      Response r = api.get(c[0], token);
      assertThat(r.status()).as(c[0] + ": " + r.text()).isEqualTo(400);
      assertThat(r.body().get("field").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }
}
