package dev.asyncjobs.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.demo.DemoSettings;
import dev.asyncjobs.examples.plugin.HaikuGenerator;
import dev.asyncjobs.testing.Waits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The app as {@code java -jar} starts it: what it prints works, and a job runs in-process. */
class JobTrackerAppTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theLinkItPrintsCarriesAWorkingTokenAndAJobRunsToTheEnd() throws Exception {
    AppSettings settings = AppSettings.from(Map.of("JOBS_HOST", "127.0.0.1", "JOBS_QUOTA_MIN_INTERVAL_SECONDS", "0"), List.of())
        .withPort(0)
        .withPace(new DemoSettings(Duration.ofMillis(5)), Duration.ofMillis(5));
    try (JobTrackerApp app = JobTrackerApp.start(settings)) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      JobTrackerMain.printStartup(settings, app, new PrintStream(printed, true, StandardCharsets.UTF_8));
      String out = printed.toString(StandardCharsets.UTF_8);

      assertThat(out).contains("random for this run").contains("offline demo").contains(HaikuGenerator.TYPE);
      assertThat(out).contains("Demo credential for 'demo-user', valid until ").contains("do not share");
      Matcher link = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+))/#token=(\\S+)").matcher(out);
      assertThat(link.find()).as(out).isTrue();
      String base = link.group(1);
      String token = link.group(3);
      assertThat(Integer.parseInt(link.group(2))).isEqualTo(app.port());

      assertThat(get(base + "/", null).statusCode()).isEqualTo(200);
      HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/generate"))
          .header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"image_generation\",\"payload\":{\"prompt\":\"dusk\"}}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
      String location = created.headers().firstValue("Location").orElseThrow();

      JsonNode job = Waits.untilValue("the job to complete", Duration.ofSeconds(20),
          () -> json(get(base + location, token).body()), j -> j.get("status").asText().equals("COMPLETED"));
      assertThat(job.get("result").get("demo").asBoolean()).isTrue();
      assertThat(job.get("actualDurationMs").asLong()).isPositive();
    }
  }

  @Test
  void withAConfiguredSecretNoTokenIsPrintedAndItListensOnLoopbackByDefault() throws Exception {
    String secret = "a-configured-secret-of-at-least-32-bytes!";
    AppSettings settings = AppSettings.from(Map.of("JOBS_JWT_SECRET", secret), List.of()).withPort(0);
    try (JobTrackerApp app = JobTrackerApp.start(settings)) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      JobTrackerMain.printStartup(settings, app, new PrintStream(printed, true, StandardCharsets.UTF_8));
      String out = printed.toString(StandardCharsets.UTF_8);

      // Any JWT starts with the base64 of '{"': none may be printed.
      assertThat(out).doesNotContain("eyJ").doesNotContain("#token=").doesNotContain("Bearer")
          .contains("JOBS_JWT_SECRET").contains("token --sub");
      assertThat(out).contains("http://127.0.0.1:" + app.port()).contains("this machine only");
      assertThat(get("http://127.0.0.1:" + app.port() + "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anUnknownStoreUrlIsAClearErrorAndLeavesNothingRunning() {
    AppSettings settings = AppSettings.from(Map.of("JOBS_STORE_URL", "nosql://somewhere"), List.of()).withPort(0);

    assertThatThrownBy(() -> JobTrackerApp.start(settings))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("nosql://somewhere")
        .hasMessageContaining("memory");
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String text) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
  }
}
