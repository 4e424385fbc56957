package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The asyncjobs.* properties: their defaults are the library's, and a bad value fails the start of
 * the application with a message naming the property (and nothing of the starter is left running).
 */
class PropertiesTest {
  private static ApplicationContextRunner app() {
    return Apps.starter().withBean(EchoGenerator.class);
  }

  @Test
  void defaultsAreTheLibrarysOwn() {
    app().run(context -> {
      AsyncJobsProperties p = context.getBean(AsyncJobsProperties.class);
      assertThat(p.store()).isEqualTo(AsyncJobsProperties.StoreType.AUTO);
      assertThat(p.maxPayloadBytes()).isEqualTo(JobManager.DEFAULT_MAX_PAYLOAD_BYTES);
      assertThat(p.discoverGenerators()).isTrue();
      assertThat(p.generators()).isEmpty();
      assertThat(p.postgres()).isEqualTo(new AsyncJobsProperties.Postgres("public", "", true));
      AsyncJobsProperties.Worker w = p.worker();
      assertThat(w.enabled()).isTrue();
      assertThat(w.id()).isNull();
      assertThat(w.concurrency()).isEqualTo(4);
      assertThat(w.concurrencyPerType()).isEmpty();
      assertThat(w.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
      assertThat(w.heartbeatInterval()).isNull();
      assertThat(w.pollInterval()).isEqualTo(Duration.ofSeconds(1));
      assertThat(w.timeout()).isEqualTo(Duration.ofMinutes(10));
      assertThat(w.timeoutPerType()).isEmpty();
      assertThat(w.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(20));
      assertThat(w.fairBetweenOwners()).isFalse();
      assertThat(p.retention()).isEqualTo(new AsyncJobsProperties.Retention(null, Duration.ofHours(24), Duration.ofMinutes(5)));
      assertThat(p.quota().isSet()).isFalse();
      JobManager jobs = context.getBean(JobManager.class);
      assertThat(jobs.eventRetention()).isEqualTo(Duration.ofHours(24));
      assertThat(jobs.quotaUsage("alice").limits().isUnlimited()).isTrue();
    });
  }

  @Test
  void valuesArriveInTheManager() {
    app().withPropertyValues("asyncjobs.retention.events=2h", "asyncjobs.quota.per-hour=10", "asyncjobs.quota.per-day=100",
        "asyncjobs.quota.min-interval=1m", "asyncjobs.max-payload-bytes=64").run(context -> {
          JobManager jobs = context.getBean(JobManager.class);
          assertThat(jobs.eventRetention()).isEqualTo(Duration.ofHours(2));
          assertThat(jobs.quotaUsage("alice").limits()).isEqualTo(new QuotaLimits(10, 100, Duration.ofMinutes(1)));
          // 64 bytes: a payload of 65 is refused by the manager itself
          String big = "{\"text\":\"" + "x".repeat(60) + "\",\"repeat\":1}";
          assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobs.create(
              dev.asyncjobs.JobRequest.builder("alice", "echo").payload(big).build())))
              .isInstanceOf(dev.asyncjobs.PayloadTooLargeException.class);
        });
  }

  @Test
  void oneQuotaLimitAloneLimitsOnlyThat() {
    app().withPropertyValues("asyncjobs.quota.per-day=3").run(context -> assertThat(
        context.getBean(JobManager.class).quotaUsage("alice").limits())
        .isEqualTo(new QuotaLimits(Integer.MAX_VALUE, 3, Duration.ZERO)));
  }

  @Test
  void limitsAreDefinedInTheStoreAtStart() {
    // As an application.properties file writes them; a map, since withPropertyValues splits at ':'.
    java.util.Map<String, Object> properties = java.util.Map.of(
        "asyncjobs.limits[openai:gpt-image-1].max-running", "5",
        "asyncjobs.limits[openai:gpt-image-1].max-starts", "50",
        "asyncjobs.limits[openai:gpt-image-1].starts-per", "1m",
        "asyncjobs.limits.echo.max-units", "40000",
        "asyncjobs.limits.echo.units-per", "30s");
    app().withInitializer(c -> c.getEnvironment().getPropertySources().addFirst(
        new org.springframework.core.env.MapPropertySource("limits", properties))).run(context -> {
          JobManager jobs = context.getBean(JobManager.class);
          assertThat(jobs.limits()).extracting(LimitStatus::limit).containsExactly(
              JobLimit.builder("echo").maxUnits(40_000, Duration.ofSeconds(30)).build(),
              JobLimit.builder("openai:gpt-image-1").maxRunning(5).maxStarts(50, Duration.ofMinutes(1)).build());
        });
  }

  /** Each bad value, and the words the failure must contain: the property's name and the value. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "asyncjobs.store=redis                          | asyncjobs.store",
      "asyncjobs.worker.concurrency=0                 | asyncjobs.worker.concurrency must be at least 1, was 0",
      "asyncjobs.worker.concurrency-per-type.echo=0   | asyncjobs.worker.concurrency-per-type.echo must be at least 1, was 0",
      "asyncjobs.worker.lease-duration=-1s            | asyncjobs.worker.lease-duration must be at least PT0.1S, was PT-1S",
      "asyncjobs.worker.heartbeat-interval=-5s        | asyncjobs.worker.heartbeat-interval must be at least PT0.01S, was PT-5S",
      "asyncjobs.worker.heartbeat-interval=30s        | asyncjobs.worker.heartbeat-interval must be shorter than asyncjobs.worker.lease-duration (PT30S), was PT30S",
      "asyncjobs.worker.poll-interval=0s              | asyncjobs.worker.poll-interval must be at least PT0.01S, was PT0S",
      "asyncjobs.worker.timeout=-1m                   | asyncjobs.worker.timeout must be at least PT0.001S, was PT-1M",
      "asyncjobs.worker.timeout-per-type.echo=-1s     | asyncjobs.worker.timeout-per-type.echo must be at least PT0.001S, was PT-1S",
      "asyncjobs.worker.shutdown-grace-period=-1s     | asyncjobs.worker.shutdown-grace-period must be at least PT0S, was PT-1S",
      "asyncjobs.worker.shutdown-grace-period=30s     | asyncjobs.worker.shutdown-grace-period (PT30S) must be shorter than spring.lifecycle.timeout-per-shutdown-phase (PT30S)",
      "asyncjobs.worker.id=has space                  | asyncjobs.worker.id: workerId must be 1-100 characters",
      "asyncjobs.worker.concurrency-per-type.nope=2   | asyncjobs.worker.concurrency-per-type.nope: concurrency: unknown job type 'nope'",
      "asyncjobs.worker.timeout-per-type.nope=2m      | asyncjobs.worker.timeout-per-type.nope: timeout: unknown job type 'nope'; the manager's types: [echo, greeting]",
      "asyncjobs.worker.enabled=perhaps               | asyncjobs.worker.enabled",
      "asyncjobs.retention.events=30s                 | asyncjobs.retention.events must be at least PT1M, was PT30S",
      "asyncjobs.retention.finished-jobs=-1d          | asyncjobs.retention.finished-jobs must be at least PT0S, was PT-24H",
      "asyncjobs.retention.cleanup-interval=0s        | asyncjobs.retention.cleanup-interval must be at least PT1S, was PT0S",
      "asyncjobs.quota.per-hour=-1                    | asyncjobs.quota.per-hour must not be negative, was -1",
      "asyncjobs.quota.per-day=-2                     | asyncjobs.quota.per-day must not be negative, was -2",
      "asyncjobs.quota.min-interval=-1s               | asyncjobs.quota.min-interval must be at least PT0S, was PT-1S",
      "asyncjobs.max-payload-bytes=1                  | asyncjobs.max-payload-bytes must be at least 2, was 1",
      "asyncjobs.limits.echo.max-running=0            | asyncjobs.limits[echo].max-running: maxRunning must be at least 1, was 0",
      "asyncjobs.limits.echo.starts-per=1m            | asyncjobs.limits[echo]: limit echo has no bound",
      "asyncjobs.limits.echo.max-units=-4             | asyncjobs.limits[echo].max-units: maxUnits must be at least 1, was -4",
      "asyncjobs.limits[a b].max-running=1            | asyncjobs.limits[a b]: a limit's name holds no whitespace",
      "asyncjobs.postgres.schema=Not-An-Identifier    | asyncjobs.postgres.schema: schema must be a lowercase SQL identifier",
      "asyncjobs.postgres.table-prefix=a-b            | asyncjobs.postgres.table-prefix: tablePrefix must be empty or a lowercase SQL identifier",
  })
  void aBadValueFailsTheStartNamingTheProperty(String property, String expected) {
    ApplicationContextRunner runner = app().withPropertyValues(property);
    if (property.startsWith("asyncjobs.postgres.")) {
      runner = runner.withPropertyValues("asyncjobs.store=postgres").withBean(javax.sql.DataSource.class,
          () -> new org.springframework.jdbc.datasource.DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"));
    }
    runner.run(context -> {
      assertThat(context).hasFailed();
      assertThat(messages(context.getStartupFailure())).contains(expected);
      // the worker never started: no thread of the starter outlives the failed start
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive() && t.getName().startsWith("asyncjobs-")
          && t.getName().contains("-loop-"));
    });
  }

  @Test
  void aLongerShutdownPhaseAllowsALongerGracePeriod() {
    app().withPropertyValues("asyncjobs.worker.shutdown-grace-period=45s", "spring.lifecycle.timeout-per-shutdown-phase=60s")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JobWorkerLifecycle.class));
  }

  @Test
  void fairBetweenOwnersReachesTheWorkerWhichNeedsAStoreThatTakesOwnersInTurn() {
    app().withPropertyValues("asyncjobs.worker.fair-between-owners=true").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(JobWorkerLifecycle.class);
      assertThat(context.getBean(AsyncJobsProperties.class).worker().fairBetweenOwners()).isTrue();
    });
    // The same property on a store without FAIR_CLAIMS: the worker is built with it, so it refuses.
    app().withBean(JobStore.class, () -> withoutFairClaims(new InMemoryJobStore()))
        .withPropertyValues("asyncjobs.worker.fair-between-owners=true")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .satisfies(f -> assertThat(messages(f)).contains("fairBetweenOwners").contains("FAIR_CLAIMS")));
    app().withBean(JobStore.class, () -> withoutFairClaims(new InMemoryJobStore()))
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void pricesAndABudgetArriveInTheManager() {
    java.util.Map<String, Object> properties = java.util.Map.of(
        "asyncjobs.prices.currency", "EUR",
        "asyncjobs.prices.models[gpt-4.1].input-tokens-per-million", "2.00",
        "asyncjobs.prices.models[gpt-4.1].output-tokens-per-million", "8.00",
        "asyncjobs.prices.models.paint-1.images", "0.04",
        "asyncjobs.budget.cost-per-day", "1.50",
        "asyncjobs.budget.tokens-per-month", "1000000");
    app().withPropertyValues(properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new))
        .run(context -> {
          assertThat(context).hasNotFailed();
          JobManager jobs = context.getBean(JobManager.class);
          dev.asyncjobs.PriceTable prices = jobs.prices();
          assertThat(prices.currency().getCurrencyCode()).isEqualTo("EUR");
          assertThat(prices.costOf(dev.asyncjobs.Usage.of("gpt-4.1").inputTokens(1_000_000).outputTokens(500_000).build()
              .plus(dev.asyncjobs.Usage.of("paint-1").images(2).build())).amount()).isEqualByComparingTo("6.08");
          dev.asyncjobs.BudgetStatus budget = jobs.budget("alice");
          assertThat(budget.limits().costPerDay()).isEqualByComparingTo("1.50");
          assertThat(budget.limits().tokensPerMonth()).isEqualTo(1_000_000L);
          assertThat(budget.limits().costPerMonth()).isNull();
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "asyncjobs.prices.currency=dollars                        | asyncjobs.prices.currency must be an ISO 4217 code",
      "asyncjobs.prices.models.paint-1.images=-1               | asyncjobs.prices.models[paint-1].images: the price of paint-1 images must not be negative",
      "asyncjobs.prices.models.paint-1.seconds=cheap           | asyncjobs.prices.models[paint-1].seconds: a price must be a decimal number",
      "asyncjobs.budget.cost-per-day=-2                        | asyncjobs.budget.cost-per-day: costPerDay must not be negative",
      "asyncjobs.budget.tokens-per-day=-2                      | asyncjobs.budget.tokens-per-day: tokensPerDay must not be negative"})
  void badPricesAndBudgetsFailTheStartNamingTheProperty(String property, String message) {
    app().withPropertyValues(property.strip()).run(context -> {
      assertThat(context).hasFailed();
      assertThat(messages(context.getStartupFailure())).contains(message.strip());
    });
  }

  /** {@code store}, declaring every capability it has but FAIR_CLAIMS. */
  private static JobStore withoutFairClaims(JobStore store) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class}, (proxy, method, args) -> {
      if (method.getName().equals("capabilities")) {
        java.util.Set<StoreCapability> declared = java.util.EnumSet.copyOf(store.capabilities());
        declared.remove(StoreCapability.FAIR_CLAIMS);
        return declared;
      }
      try {
        return method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
  }

  /** Every message of the cause chain, so that a test sees what a developer reads in the log. */
  static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
