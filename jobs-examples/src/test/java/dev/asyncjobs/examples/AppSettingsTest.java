package dev.asyncjobs.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.examples.http.TokenRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment variables and flags become settings, or a message that names what is wrong. */
class AppSettingsTest {

  @Test
  void withNothingSetItIsTheEmbeddedDefault() {
    AppSettings s = AppSettings.from(Map.of(), List.of());

    assertThat(s.role()).isEqualTo(Role.ALL);
    assertThat(s.port()).isEqualTo(8080);
    assertThat(s.host()).as("loopback unless JOBS_HOST says otherwise").isEqualTo("127.0.0.1");
    assertThat(s.tokens()).isEqualTo(TokenRules.DEFAULT);
    assertThat(s.storeUrl()).isNull();
    assertThat(s.openAiApiKey()).isNull();
    assertThat(s.jwtSecretGenerated()).isTrue();
    assertThat(s.jwtSecret()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(s.quota()).isEqualTo(new QuotaLimits(10, 100, Duration.ofMinutes(1)));
    assertThat(s.demo().stepDelay()).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void everyVariableIsRead() {
    AppSettings s = AppSettings.from(Map.ofEntries(
        Map.entry("PORT", "9090"),
        Map.entry("JOBS_HOST", "127.0.0.1"),
        Map.entry("JOBS_JWT_SECRET", "s".repeat(40)),
        Map.entry("JOBS_STORE_URL", "jdbc:postgresql://db/jobs"),
        Map.entry("JOBS_STORE_USER", "app"),
        Map.entry("JOBS_STORE_PASSWORD", "pw"),
        Map.entry("OPENAI_API_KEY", "sk-test"),
        Map.entry("OPENAI_BASE_URL", "http://127.0.0.1:1/v1"),
        Map.entry("JOBS_DEMO_STEP_MS", "10"),
        Map.entry("JOBS_WORKER_CONCURRENCY", "8"),
        Map.entry("JOBS_QUOTA_PER_HOUR", "50"),
        Map.entry("JOBS_QUOTA_PER_DAY", "500"),
        Map.entry("JOBS_QUOTA_MIN_INTERVAL_SECONDS", "0")), List.of("--worker-only"));

    assertThat(s.role()).isEqualTo(Role.WORKER);
    assertThat(s.port()).isEqualTo(9090);
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.jwtSecretGenerated()).isFalse();
    assertThat(s.storeOptions()).containsEntry("user", "app").containsEntry("password", "pw");
    assertThat(s.generatorSettings()).containsEntry("openai.apiKey", "sk-test")
        .containsEntry("openai.baseUrl", "http://127.0.0.1:1/v1");
    assertThat(s.workerConcurrency()).isEqualTo(8);
    assertThat(s.quota()).isEqualTo(new QuotaLimits(50, 500, Duration.ZERO));
    assertThat(s.toString()).doesNotContain("sk-test").doesNotContain("pw").doesNotContain("sss");
  }

  @Test
  void theTokenRulesAreRead() {
    AppSettings s = AppSettings.from(Map.of(
        "JOBS_HOST", "0.0.0.0",
        "JOBS_JWT_ISSUER", "https://ref.supabase.co/auth/v1",
        "JOBS_JWT_AUDIENCE", "authenticated",
        "JOBS_JWT_LEEWAY_SECONDS", "10",
        "JOBS_JWT_MAX_LIFETIME", "2h",
        "JOBS_OPERATOR_CLAIM", "app_role",
        "JOBS_OPERATOR_VALUE", "admin"), List.of());

    assertThat(s.host()).isEqualTo("0.0.0.0");
    assertThat(s.tokens()).isEqualTo(new TokenRules("https://ref.supabase.co/auth/v1", "authenticated",
        Duration.ofSeconds(10), Duration.ofHours(2), "app_role", "admin"));
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_JWT_MAX_LIFETIME", "forever"), List.of()))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("JOBS_JWT_MAX_LIFETIME").hasMessageContaining("forever");
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_JWT_LEEWAY_SECONDS", "-3"), List.of()))
        .hasMessageContaining("JOBS_JWT_LEEWAY_SECONDS");
  }

  @Test
  void splitRolesNeedASharedStore() {
    assertThatThrownBy(() -> AppSettings.from(Map.of(), List.of("--api-only")))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("--api-only").hasMessageContaining("JOBS_STORE_URL");
    assertThatThrownBy(() -> AppSettings.from(Map.of(), List.of("--worker-only")))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("--worker-only");
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_STORE_URL", "jdbc:postgresql://x/y"),
        List.of("--api-only", "--worker-only"))).hasMessageContaining("exclude each other");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> AppSettings.from(Map.of("PORT", "eighty"), List.of()))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("PORT").hasMessageContaining("eighty");
    assertThatThrownBy(() -> AppSettings.from(Map.of("PORT", "70000"), List.of())).hasMessageContaining("PORT");
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_DEMO_STEP_MS", "-1"), List.of()))
        .hasMessageContaining("JOBS_DEMO_STEP_MS");
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_WORKER_CONCURRENCY", "0"), List.of()))
        .hasMessageContaining("JOBS_WORKER_CONCURRENCY");
    assertThatThrownBy(() -> AppSettings.from(Map.of("JOBS_QUOTA_PER_HOUR", "-5"), List.of()))
        .hasMessageContaining("maxPerHour");
    assertThatThrownBy(() -> AppSettings.from(Map.of(), List.of("--verbose")))
        .hasMessageContaining("--verbose");
  }
}
