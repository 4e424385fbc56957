package dev.asyncjobs.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.examples.demo.DemoSettings;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import dev.asyncjobs.testing.postgres.TestPostgres;
import dev.asyncjobs.testing.sse.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code JOBS_STORE_URL=jdbc:postgresql://…} with {@code --api-only} in one app and {@code
 * --worker-only} in another: a job created through the API runs on the other app's worker, and
 * its progress reaches the API's event stream through PostgreSQL's LISTEN/NOTIFY.
 */
class SplitRolesPostgresTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** An empty schema of its own, which the apps migrate; dropped after the test. */
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema(null, "examples", 1, Duration.ofSeconds(30));

  @Test
  void anApiOnlyAndAWorkerOnlyAppShareTheJobsOfOneDatabase() {
    TestPostgres.Server db = schema.server();
    Map<String, String> env = new HashMap<>();
    env.put("JOBS_STORE_URL", db.url());
    env.put("JOBS_STORE_USER", db.user());
    env.put("JOBS_STORE_PASSWORD", db.password());
    env.put("JOBS_STORE_SCHEMA", schema.name());
    env.put("JOBS_JWT_SECRET", "shared-secret-of-both-processes-0123456789");
    env.put("JOBS_HOST", "127.0.0.1");
    env.put("JOBS_QUOTA_MIN_INTERVAL_SECONDS", "0");
    try (JobTrackerApp api = start(env, "--api-only"); JobTrackerApp worker = start(env, "--worker-only")) {
      assertThat(worker.port()).as("a worker serves no HTTP").isEqualTo(-1);
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      JobTrackerMain.printStartup(AppSettings.from(env, List.of("--api-only")), api,
          new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertThat(printed.toString(StandardCharsets.UTF_8)).as("--api-only with a configured secret prints no token")
          .contains("(api)").doesNotContain("eyJ").doesNotContain("#token=");
      ApiClient client = new ApiClient("http://127.0.0.1:" + api.port());
      String token = api.auth().issue("pg-user", Duration.ofMinutes(10));
      assertThat(client.get("/healthz", null).status()).isEqualTo(200);

      String id;
      try (SseClient events = SseClient.open(client.http(), client.request("/api/jobs/events", token))) {
        events.await(e -> e.event().equals("ready"), WAIT);
        id = client.post("/api/generate", token,
            "{\"type\":\"music_generation\",\"payload\":{\"prompt\":\"a shared queue\"}}").body().get("id").asText();

        List<SseClient.Event> seen = events.until(e -> e.json().get("kind").asText().equals("COMPLETED"), WAIT);

        assertThat(seen).extracting(e -> e.json().get("jobId").asText()).containsOnly(id);
        assertThat(seen).extracting(e -> e.json().get("kind").asText()).contains("CREATED", "STARTED", "PROGRESS");
      }
      ApiClient.Response job = client.get("/api/jobs/" + id, token);
      assertThat(job.body().get("status").asText()).isEqualTo("COMPLETED");
      assertThat(job.body().get("result").get("demo").asBoolean()).isTrue();
      assertThat(job.body().get("attempts").asInt()).isEqualTo(1);
    }
  }

  private static JobTrackerApp start(Map<String, String> env, String role) {
    return JobTrackerApp.start(AppSettings.from(env, List.of(role))
        .withPort(0)
        .withPace(new DemoSettings(Duration.ofMillis(50)), Duration.ofMillis(10)));
  }
}
