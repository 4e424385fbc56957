package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.BudgetLimits;
import dev.asyncjobs.BudgetPolicy;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.examples.ExamplePrices;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A spent budget: the next create is a 402 problem that says when the budget resets, and stores nothing. */
class BudgetRouteTest {
  private TestServer server;
  private ApiClient api;

  @BeforeEach
  void start() {
    server = TestServer.builder().step(Duration.ZERO).manager(m -> m.prices(ExamplePrices.TABLE)
        .budgetPolicy(BudgetPolicy.everyOwner(BudgetLimits.builder().tokensPerDay(20).build()))).start();
    api = server.client();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aSpentBudgetRefusesTheNextCreateWith402UntilItResets() {
    String token = server.token("budget-erin");
    Response first = api.post("/api/generate", token, "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"tides\"}}");
    assertThat(first.status()).as(first.text()).isEqualTo(202);
    assertThat(ManualWorker.of(server.jobs()).runNext().orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);

    JsonNode budget = api.get("/api/budget", token).body();
    assertThat(budget.get("limits").get("tokensPerDay").asLong()).isEqualTo(20);
    assertThat(budget.get("limits").get("costPerDay").isNull()).isTrue();
    long spent = budget.get("today").get("tokens").asLong();
    assertThat(spent).as("the demo text job's tokens").isGreaterThan(20);

    Response refused = api.post("/api/generate", token, "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"more tides\"}}");

    assertThat(refused.status()).as(refused.text()).isEqualTo(402);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    JsonNode p = refused.body();
    assertThat(p.get("code").asText()).isEqualTo("budget_exceeded");
    assertThat(p.get("limit").asText()).isEqualTo("TOKENS_PER_DAY");
    assertThat(p.get("limitValue").asLong()).isEqualTo(20);
    assertThat(p.get("counted").asLong()).isEqualTo(spent);
    assertThat(p.get("resetsAt").asText()).isEqualTo(budget.get("today").get("resetsAt").asText());
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(api.get("/api/jobs", token).body().get("items")).as("nothing stored").hasSize(1);
    assertThat(api.post("/api/generate", server.token("budget-frank"), "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"}}")
        .status()).as("another owner's budget is its own").isEqualTo(202);
  }
}
