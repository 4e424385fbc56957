package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A burst of creates over the quota: the excess gets 429 with Retry-After, nothing extra is stored. */
class QuotaTest {
  private static final String CREATE = "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"burst\"}}";

  @Test
  void aConcurrentBurstOverTheHourlyLimitGets429WithRetryAfter() throws Exception {
    try (TestServer server = TestServer.builder().quota(new QuotaLimits(3, 100, Duration.ZERO)).start()) {
      ApiClient api = server.client();
      String token = server.token("burst");
      int burst = 8;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(burst);
      List<Future<Response>> answers = new ArrayList<>();
      try {
        for (int i = 0; i < burst; i++) {
          answers.add(pool.submit((Callable<Response>) () -> {
            go.await();
            return api.post("/api/generate", token, CREATE);
          }));
        }
        go.countDown();
        List<Response> responses = new ArrayList<>();
        for (Future<Response> f : answers) {
          responses.add(f.get());
        }

        assertThat(responses).filteredOn(r -> r.status() == 202).hasSize(3);
        List<Response> refused = responses.stream().filter(r -> r.status() != 202).toList();
        assertThat(refused).hasSize(burst - 3).allSatisfy(r -> {
          assertThat(r.status()).isEqualTo(429);
          assertThat(r.contentType()).startsWith("application/problem+json");
          assertThat(r.body().get("code").asText()).isEqualTo("quota_exceeded");
          assertThat(r.body().get("limit").asText()).isEqualTo("PER_HOUR");
          assertThat(r.body().get("limitValue").asInt()).isEqualTo(3);
          long retryAfter = Long.parseLong(r.header("Retry-After"));
          // The oldest create leaves the hour window in just under an hour.
          assertThat(retryAfter).isBetween(3500L, 3600L);
          Instant retryAt = Instant.parse(r.body().get("retryAt").asText());
          assertThat(retryAt).isAfter(Instant.now().plus(Duration.ofMinutes(58)));
        });
        assertThat(api.get("/api/jobs", token).body().get("items")).hasSize(3);
        assertThat(api.get("/api/quota", token).body().get("usedLastHour").asInt()).isEqualTo(3);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void theMinimumIntervalAnswersWithTheSecondsLeft() {
    try (TestServer server = TestServer.builder().quota(new QuotaLimits(10, 100, Duration.ofMinutes(1))).start()) {
      ApiClient api = server.client();
      String token = server.token("interval");
      assertThat(api.post("/api/generate", token, CREATE).status()).isEqualTo(202);

      Response r = api.post("/api/generate", token, CREATE);

      assertThat(r.status()).isEqualTo(429);
      assertThat(r.body().get("limit").asText()).isEqualTo("MIN_INTERVAL");
      assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(50L, 60L);
      Response quota = api.get("/api/quota", token);
      assertThat(quota.body().get("limits").get("minIntervalSeconds").asInt()).isEqualTo(60);
      assertThat(Instant.parse(quota.body().get("nextCreateAllowedAt").asText())).isAfter(Instant.now());
    }
  }
}
