package dev.asyncjobs.examples;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.examples.demo.DemoSettings;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.examples.http.TokenRules;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the JobTracker example is configured with, read from environment variables and
 * command-line flags (see {@link #from(Map, List)}). Immutable.
 *
 * @param role which parts run in this process
 * @param host the interface the HTTP server binds
 * @param port the HTTP port (0 picks a free one)
 * @param jwtSecret the HS256 secret tokens are signed and checked with
 * @param jwtSecretGenerated whether the secret was generated for this run (none was configured)
 * @param storeUrl the store, {@code null} for the in-memory default
 * @param storeOptions options for {@link dev.asyncjobs.JobStores#open(String, Map)}
 * @param openAiApiKey switches to the OpenAI generators when set
 * @param generatorSettings settings handed to {@link dev.asyncjobs.GeneratorProvider}s
 * @param demo pacing of the demo generators
 * @param workerConcurrency jobs the worker runs at once
 * @param progressInterval least time between two progress writes of one job
 * @param quota the creation limits of every owner
 * @param demoUser the subject of the token printed at startup
 * @param tokens what a token must say besides its signature (issuer, audience, leeway, lifetime,
 *     operator claim)
 */
public record AppSettings(
    Role role,
    String host,
    int port,
    String jwtSecret,
    boolean jwtSecretGenerated,
    @Nullable String storeUrl,
    Map<String, String> storeOptions,
    @Nullable String openAiApiKey,
    Map<String, String> generatorSettings,
    DemoSettings demo,
    int workerConcurrency,
    Duration progressInterval,
    QuotaLimits quota,
    String demoUser,
    TokenRules tokens) {

  /** Copies the maps; checks what the builders of the parts do not. */
  public AppSettings {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(tokens, "tokens");
    storeOptions = Map.copyOf(storeOptions);
    generatorSettings = Map.copyOf(generatorSettings);
    if (port < 0 || port > 65535) {
      throw new JobConfigurationException("PORT must be 0-65535, was " + port);
    }
    if (workerConcurrency < 1) {
      throw new JobConfigurationException("JOBS_WORKER_CONCURRENCY must be at least 1, was " + workerConcurrency);
    }
    if (role != Role.ALL && storeUrl == null) {
      throw new JobConfigurationException(
          (role == Role.API ? "--api-only" : "--worker-only")
              + " needs a shared store: set JOBS_STORE_URL=jdbc:postgresql://... (the in-memory store"
              + " is visible only inside one process, so the API and the worker must run together)");
    }
  }

  /**
   * Reads the settings.
   *
   * <ul>
   *   <li>{@code PORT} (8080), {@code JOBS_HOST} (127.0.0.1: this machine only; {@code 0.0.0.0}
   *       for every interface)
   *   <li>{@code JOBS_JWT_SECRET}: at least 32 bytes; when unset a random one is made for this run
   *   <li>{@code JOBS_JWT_ISSUER}, {@code JOBS_JWT_AUDIENCE} (unset: not checked), {@code
   *       JOBS_JWT_LEEWAY_SECONDS} (30), {@code JOBS_JWT_MAX_LIFETIME} (24h), {@code
   *       JOBS_OPERATOR_CLAIM} (role), {@code JOBS_OPERATOR_VALUE} (operator): see {@link TokenRules}
   *   <li>{@code JOBS_STORE_URL} ({@code jdbc:postgresql://...}; unset: in memory), with {@code
   *       JOBS_STORE_USER}, {@code JOBS_STORE_PASSWORD}, {@code JOBS_STORE_SCHEMA}
   *   <li>{@code OPENAI_API_KEY} (and {@code OPENAI_BASE_URL}): the OpenAI generators instead of the demo ones
   *   <li>{@code JOBS_DEMO_STEP_MS} (400), {@code JOBS_WORKER_CONCURRENCY} (4)
   *   <li>{@code JOBS_QUOTA_PER_HOUR} (10), {@code JOBS_QUOTA_PER_DAY} (100), {@code
   *       JOBS_QUOTA_MIN_INTERVAL_SECONDS} (60): the example's defaults
   *   <li>{@code JOBS_DEMO_USER} (demo-user): who the printed token is for
   *   <li>flags {@code --api-only}, {@code --worker-only}
   * </ul>
   *
   * @throws JobConfigurationException naming the variable or flag and the bad value
   */
  public static AppSettings from(Map<String, String> env, List<String> flags) {
    Role role = Role.ALL;
    for (String flag : flags) {
      Role next = switch (flag) {
        case "--api-only" -> Role.API;
        case "--worker-only" -> Role.WORKER;
        default -> throw new JobConfigurationException(
            "unknown argument '" + flag + "'; expected --api-only, --worker-only, token or --help");
      };
      if (role != Role.ALL && role != next) {
        throw new JobConfigurationException("--api-only and --worker-only exclude each other");
      }
      role = next;
    }
    String secret = blankToNull(env.get("JOBS_JWT_SECRET"));
    Map<String, String> storeOptions = new LinkedHashMap<>();
    putIfSet(storeOptions, "user", env.get("JOBS_STORE_USER"));
    putIfSet(storeOptions, "password", env.get("JOBS_STORE_PASSWORD"));
    putIfSet(storeOptions, "schema", env.get("JOBS_STORE_SCHEMA"));
    String openAiKey = blankToNull(env.get("OPENAI_API_KEY"));
    Map<String, String> generatorSettings = new LinkedHashMap<>();
    putIfSet(generatorSettings, "openai.apiKey", openAiKey);
    putIfSet(generatorSettings, "openai.baseUrl", env.get("OPENAI_BASE_URL"));
    QuotaLimits quota = new QuotaLimits(
        intOf(env, "JOBS_QUOTA_PER_HOUR", DEFAULT_QUOTA.maxPerHour()),
        intOf(env, "JOBS_QUOTA_PER_DAY", DEFAULT_QUOTA.maxPerDay()),
        Duration.ofSeconds(intOf(env, "JOBS_QUOTA_MIN_INTERVAL_SECONDS", (int) DEFAULT_QUOTA.minInterval().toSeconds())));
    return new AppSettings(
        role,
        // Loopback unless told otherwise: a demo with a printed credential is not for the network.
        env.getOrDefault("JOBS_HOST", DEFAULT_HOST),
        intOf(env, "PORT", 8080),
        secret == null ? JwtAuth.randomSecret() : secret,
        secret == null,
        blankToNull(env.get("JOBS_STORE_URL")),
        storeOptions,
        openAiKey,
        generatorSettings,
        DemoSettings.ofStepMillis(intOf(env, "JOBS_DEMO_STEP_MS", 400)),
        intOf(env, "JOBS_WORKER_CONCURRENCY", 4),
        Duration.ofMillis(250),
        quota,
        env.getOrDefault("JOBS_DEMO_USER", "demo-user"),
        tokenRules(env));
  }

  /** The interface bound when {@code JOBS_HOST} is unset. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /**
   * The example's quota when none is configured: 10 creates an hour, 100 a day, one a minute per
   * owner (the library itself limits nobody unless told).
   */
  public static final QuotaLimits DEFAULT_QUOTA = new QuotaLimits(10, 100, Duration.ofMinutes(1));

  /**
   * The token rules of {@code env}, shared by the server and the {@code token} command so that the
   * command's tokens carry what the server checks.
   */
  public static TokenRules tokenRules(Map<String, String> env) {
    TokenRules d = TokenRules.DEFAULT;
    return new TokenRules(
        blankToNull(env.get("JOBS_JWT_ISSUER")),
        blankToNull(env.get("JOBS_JWT_AUDIENCE")),
        Duration.ofSeconds(intOf(env, "JOBS_JWT_LEEWAY_SECONDS", (int) d.leeway().toSeconds())),
        durationOf(env, "JOBS_JWT_MAX_LIFETIME", d.maxLifetime()),
        env.getOrDefault("JOBS_OPERATOR_CLAIM", d.operatorClaim()),
        env.getOrDefault("JOBS_OPERATOR_VALUE", d.operatorValue()));
  }

  /**
   * {@code 90s}, {@code 30m}, {@code 12h} or {@code 7d}.
   *
   * @throws JobConfigurationException naming {@code name} when the text is none of these or not positive
   */
  static Duration parseDuration(String name, String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    try {
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      Duration d = switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
      if (d.isNegative() || d.isZero()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (RuntimeException e) {
      throw new JobConfigurationException(name + " must look like 90s, 30m, 12h or 7d, was '" + value + "'");
    }
  }

  private static Duration durationOf(Map<String, String> env, String name, Duration fallback) {
    String raw = blankToNull(env.get(name));
    return raw == null ? fallback : parseDuration(name, raw);
  }

  /** A copy on another port. */
  public AppSettings withPort(int newPort) {
    return new AppSettings(role, host, newPort, jwtSecret, jwtSecretGenerated, storeUrl, storeOptions, openAiApiKey,
        generatorSettings, demo, workerConcurrency, progressInterval, quota, demoUser, tokens);
  }

  /** A copy with other demo pacing and progress interval (tests run jobs in well under a second). */
  public AppSettings withPace(DemoSettings newDemo, Duration newProgressInterval) {
    return new AppSettings(role, host, port, jwtSecret, jwtSecretGenerated, storeUrl, storeOptions, openAiApiKey,
        generatorSettings, newDemo, workerConcurrency, newProgressInterval, quota, demoUser, tokens);
  }

  /** A copy with other token rules. */
  public AppSettings withTokens(TokenRules newTokens) {
    return new AppSettings(role, host, port, jwtSecret, jwtSecretGenerated, storeUrl, storeOptions, openAiApiKey,
        generatorSettings, demo, workerConcurrency, progressInterval, quota, demoUser, newTokens);
  }

  /** A copy with other quota limits. */
  public AppSettings withQuota(QuotaLimits newQuota) {
    return new AppSettings(role, host, port, jwtSecret, jwtSecretGenerated, storeUrl, storeOptions, openAiApiKey,
        generatorSettings, demo, workerConcurrency, progressInterval, newQuota, demoUser, tokens);
  }

  private static int intOf(Map<String, String> env, String name, int fallback) {
    String raw = blankToNull(env.get(name));
    if (raw == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      throw new JobConfigurationException(name + " must be a whole number, was '" + raw + "'", e);
    }
  }

  private static void putIfSet(Map<String, String> map, String key, @Nullable String value) {
    String v = blankToNull(value);
    if (v != null) {
      map.put(key, v);
    }
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    // Never print the secret or the key.
    return "AppSettings[role=" + role + ", host=" + host + ", port=" + port + ", store="
        + (storeUrl == null ? "memory" : "configured") + ", openai=" + (openAiApiKey != null) + ", demo=" + demo
        + ", workerConcurrency=" + workerConcurrency + ", quota=" + quota + "]";
  }
}
