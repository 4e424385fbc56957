package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.examples.testing.ApiClient;
import dev.asyncjobs.examples.testing.ApiClient.Response;
import dev.asyncjobs.examples.testing.TestServer;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.testing.Waits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What went wrong inside (a database message, the provider's URL, a setting's name, the billing
 * state, an exception class) reaches the operator's log, never a tenant: the HTTP problem and the
 * job's public error carry a fixed sentence, and the problem an error id that matches the log.
 */
class ErrorDetailTest {
  private static final String SQL_DETAIL =
      "ERROR: relation \"asyncjobs.jobs\" does not exist at jdbc:postgresql://10.1.2.3:5432/prod (SQLSTATE 42P01)";
  private static final String PROVIDER_DETAIL =
      "POST https://api.openai.example/v1/images/generations answered 429 insufficient_quota: billing hard limit"
          + " reached for org-42 (check OPENAI_API_KEY, OPENAI_BASE_URL)";
  private static final List<String> SECRETS = List.of(
      "jdbc:", "10.1.2.3", "relation", "SQLSTATE", "https://api.openai.example", "insufficient_quota", "billing",
      "OPENAI_", "org-42", "Exception", "IllegalStateException", "JobConfigurationException");

  private static void assertNothingInternal(String text) {
    for (String secret : SECRETS) {
      assertThat(text).as("answer leaks '%s'", secret).doesNotContain(secret);
    }
  }

  /** A real in-memory store that fails {@code query} (listing jobs) as a broken database would. */
  private static JobStore storeFailingList(RuntimeException failure) {
    InMemoryJobStore real = new InMemoryJobStore(Clock.systemUTC());
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("query")) {
            throw failure;
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static String capturingStderr(Runnable r) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static void withApiOver(JobStore store, java.util.function.Consumer<ApiClient> test) {
    JobManager jobs = JobManager.builder().store(store).generators(dev.asyncjobs.examples.demo.DemoGenerators.all(
        new dev.asyncjobs.examples.demo.DemoSettings(Duration.ofMillis(5)))).quotaPolicy(
        QuotaPolicy.builder().defaults(QuotaLimits.UNLIMITED).build()).build();
    JwtAuth auth = new JwtAuth(TestServer.SECRET);
    try (ApiServer server = ApiServer.builder(jobs, auth).port(0).start()) {
      ApiClient api = new ApiClient("http://127.0.0.1:" + server.port());
      test.accept(api);
    } finally {
      jobs.close();
      store.close();
    }
  }

  @Test
  void aDatabaseMessageStaysInTheLogAndTheClientGetsAnErrorIdThatMatchesIt() {
    AtomicReference<Response> answer = new AtomicReference<>();
    String log = capturingStderr(() -> withApiOver(storeFailingList(new JobStoreException(SQL_DETAIL, "42P01", null)),
        api -> answer.set(api.get("/api/jobs", new JwtAuth(TestServer.SECRET).issue("tenant", Duration.ofMinutes(5))))));
    Response r = answer.get();

    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertNothingInternal(r.text());
    String errorId = r.body().get("errorId").asText();
    assertThat(errorId).matches("[0-9a-f]{12}");
    assertThat(log).contains(errorId).contains(SQL_DETAIL);
  }

  /** A real in-memory store that declares no optional capability, as a minimal third-party store. */
  private static JobStore storeWithoutStatistics() {
    InMemoryJobStore real = new InMemoryJobStore(Clock.systemUTC());
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("capabilities")) {
            return java.util.Set.of();
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void statisticsOnAStoreWithoutThemAreA501NamingTheCapabilityNotTheStore() {
    AtomicReference<Response> answer = new AtomicReference<>();
    String log = capturingStderr(() -> withApiOver(storeWithoutStatistics(),
        api -> answer.set(api.get("/api/stats", new JwtAuth(TestServer.SECRET).issue("tenant", Duration.ofMinutes(5))))));
    Response r = answer.get();

    assertThat(r.status()).as(r.text()).isEqualTo(501);
    assertThat(r.body().get("code").asText()).isEqualTo("unsupported_capability");
    assertThat(r.body().get("capability").asText()).isEqualTo("STATISTICS");
    assertThat(r.text()).doesNotContain("Proxy").doesNotContain("JobStore");
    assertNothingInternal(r.text());
    assertThat(log).contains(r.body().get("errorId").asText()).contains("STATISTICS");
  }

  @Test
  void anUnexpectedExceptionFromTheStoreIsA500WithoutItsClassOrMessage() {
    AtomicReference<Response> answer = new AtomicReference<>();
    capturingStderr(() -> withApiOver(storeFailingList(new IllegalStateException(SQL_DETAIL)),
        api -> answer.set(api.get("/api/jobs", new JwtAuth(TestServer.SECRET).issue("tenant", Duration.ofMinutes(5))))));
    Response r = answer.get();

    assertThat(r.status()).isIn(500, 503);
    assertNothingInternal(r.text());
    assertThat(r.body().get("errorId").asText()).isNotBlank();
    assertThat(r.body().get("detail").asText()).contains(r.body().get("errorId").asText());
  }

  @Test
  void aConfigurationErrorDuringACreateNamesNoSetting() {
    try (TestServer server = TestServer.builder()
        .manager(m -> m.moderator((owner, type, texts) -> {
          throw new JobConfigurationException("moderation needs OPENAI_API_KEY; " + PROVIDER_DETAIL);
        }))
        .start()) {
      AtomicReference<Response> answer = new AtomicReference<>();
      capturingStderr(() -> answer.set(server.client().post("/api/generate", server.token("tenant"),
          "{\"type\":\"text_generation\",\"payload\":{\"prompt\":\"x\"}}")));
      Response r = answer.get();

      assertThat(r.status()).as(r.text()).isEqualTo(500);
      assertNothingInternal(r.text());
      assertThat(r.body().get("code").asText()).isEqualTo("internal_error");
    }
  }

  /** Fails every attempt the way a provider client does, with everything in the message. */
  static final class LeakyGenerator implements Generator<LeakyGenerator.Payload> {
    record Payload(String prompt) {}

    @Override
    public String type() {
      return "leaky_generation";
    }

    @Override
    public Class<Payload> payloadType() {
      return Payload.class;
    }

    @Override
    public Object generate(Payload payload, JobContext context) {
      throw new PermanentGenerationException(PROVIDER_DETAIL, new IllegalStateException(SQL_DETAIL));
    }
  }

  @Test
  void aGeneratorFailureShowsTheTenantAFixedSentence() {
    try (TestServer server = TestServer.builder().withWorker().manager(m -> m.generator(new LeakyGenerator())).start()) {
      String token = server.token("tenant");
      ApiClient api = server.client();
      String id = api.post("/api/generate", token, "{\"type\":\"leaky_generation\",\"payload\":{\"prompt\":\"x\"}}")
          .body().get("id").asText();

      Waits.until("the job fails", Duration.ofSeconds(20),
          () -> api.get("/api/jobs/" + id, token).body().get("status").asText().equals("FAILED"));
      Response job = api.get("/api/jobs/" + id, token);
      Response list = api.get("/api/jobs", token);

      assertThat(job.body().get("error").asText()).isEqualTo(PublicErrors.FAILED);
      assertNothingInternal(job.text());
      assertNothingInternal(list.text());
      // The operator still has the whole story, by the job id.
      assertThat(server.jobs().get("tenant", java.util.UUID.fromString(id)).errorMessage()).contains("insufficient_quota");
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "{\"prompt\":{\"a\":1}}", "{\"prompt\":[1]}", "{\"prompt\":\"x\",\"size\":{}}", "{\"prompt\":\"x\",\"seed\":\"x\"}",
      "{\"prompt\":\"x\",\"size\":\"huge\"}", "{\"prompt\":\"x\",\"style\":1.5}", "[]", "1", "\"text\"", "null"})
  void aPayloadOfTheWrongShapeIsRefusedWithoutNamingAJavaClass(String payload) {
    try (TestServer server = TestServer.builder().start()) {
      Response r = server.client().post("/api/generate", server.token("shapes"),
          "{\"type\":\"image_generation\",\"payload\":" + payload + "}");

      assertThat(r.status()).as(r.text()).isEqualTo(400);
      assertThat(r.text()).doesNotContain("dev.asyncjobs").doesNotContain("java.").doesNotContain("Exception")
          .doesNotContain("com.fasterxml");
    }
  }

  @Test
  void anEventCarriesNoErrorTextButKeepsProgressMessages() {
    dev.asyncjobs.Job failed = dev.asyncjobs.Job.builder()
        .id(java.util.UUID.randomUUID()).ownerId("tenant").type("leaky_generation")
        .status(dev.asyncjobs.JobStatus.FAILED).payload("{}").errorMessage(PROVIDER_DETAIL)
        .createdAt(java.time.Instant.EPOCH).updatedAt(java.time.Instant.EPOCH).runAt(java.time.Instant.EPOCH)
        .build();

    assertThat(JsonViews.event(JobEvent.of(7, JobEvent.Kind.FAILED, failed)).get("message").asText())
        .isEqualTo(PublicErrors.FAILED);
    assertThat(JsonViews.event(JobEvent.of(8, JobEvent.Kind.RETRY_SCHEDULED, failed)).get("message").asText())
        .isEqualTo(PublicErrors.RETRYING);
    assertNothingInternal(JsonViews.job(failed).toString());
  }
}
