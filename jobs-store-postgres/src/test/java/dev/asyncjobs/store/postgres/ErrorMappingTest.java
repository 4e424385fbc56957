package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input the database refuses becomes the typed error naming the field, and changes nothing;
 * a failing database becomes a JobStoreException with its SQL state; bad settings fail the build.
 */
class ErrorMappingTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private MutableClock clock;
  private PostgresJobStore store;

  @BeforeEach
  void openStore() {
    clock = new MutableClock();
    store = schema.emptyStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private NewJobBuilder job() {
    return NewJobBuilder.newJob(clock);
  }

  private void assertNothingStored() {
    assertThat(store.query(JobQuery.allOwners().build()).items()).isEmpty();
    assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_quota_ledger")).isEqualTo("0");
  }

  private static void assertInvalid(ThrowingCallable call, Class<? extends InvalidRequestException> type, String field) {
    assertThatThrownBy(call).isInstanceOf(type)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo(field));
  }

  @Test
  void aPayloadThatIsNoJsonObjectIsAnInvalidPayload() {
    assertInvalid(() -> store.insert(InsertRequest.of(List.of(job().payload("[1,2]").build()))),
        InvalidPayloadException.class, "payload");
    assertInvalid(() -> store.insert(InsertRequest.of(job().payload("{\"prompt\":").build())),
        InvalidPayloadException.class, "payload");
    assertNothingStored();
  }

  @Test
  void valuesTheSchemaBoundsAreInvalidRequestsNamingTheField() {
    assertInvalid(() -> store.insert(InsertRequest.of(job().owner("o".repeat(256)).build())),
        InvalidRequestException.class, "ownerId");
    assertInvalid(() -> store.insert(InsertRequest.of(job().type("").build())),
        InvalidRequestException.class, "type");
    assertInvalid(() -> store.insert(InsertRequest.of(job().idempotencyKey("k".repeat(256)).build())),
        InvalidRequestException.class, "idempotencyKey");
    assertInvalid(() -> store.insert(InsertRequest.of(job().owner("nul\u0000byte").build())),
        InvalidRequestException.class, "request");
    assertNothingStored();
  }

  @Test
  void aDuplicateIdRefusesTheWholeBatch() {
    NewJob first = job().build();
    store.insert(InsertRequest.of(first));
    NewJob fresh = job().build();
    NewJob again = new NewJob(first.id(), "someone-else", "other", "{}", 5, 1, clock.instant(), null, null);
    assertInvalid(() -> store.insert(InsertRequest.of(List.of(fresh, again))), InvalidRequestException.class, "id");
    assertThat(store.find(fresh.id())).isEmpty();
    assertThat(store.find(first.id()).orElseThrow().ownerId()).isEqualTo(first.ownerId());
  }

  @Test
  void aResultThatIsNoJsonIsRefusedAndTheJobStaysProcessing() {
    store.insert(InsertRequest.of(job().build()));
    Job claimed = store.claim(new dev.asyncjobs.spi.ClaimRequest("w", Set.of(NewJobBuilder.DEFAULT_TYPE), 1, Duration.ofMinutes(1))).get(0);
    assertInvalid(() -> store.complete(new Completion(Lease.of(claimed), "not json", Duration.ofSeconds(1))), InvalidRequestException.class, "result");
    assertInvalid(() -> store.completeAll(List.of(new Completion(Lease.of(claimed), "{\"a\":", Duration.ofSeconds(1)))),
        InvalidRequestException.class, "result");
    assertThat(store.find(claimed.id())).contains(claimed);
    assertThat(store.find(claimed.id()).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void negativeLimitsAreInvalidRequests() {
    assertInvalid(() -> store.rescueExpired(-1), InvalidRequestException.class, "limit");
    assertInvalid(() -> store.deleteFinishedBefore(clock.instant(), -1), InvalidRequestException.class, "limit");
    assertInvalid(() -> store.recentDurations("t", -1), InvalidRequestException.class, "limit");
  }

  @Test
  void aBrokenSchemaIsAStoreErrorWithTheSqlState() {
    try (TestSchema broken = new TestSchema().open();
        PostgresJobStore s = broken.storeBuilder(clock).build()) {
      broken.execute("DROP TABLE " + broken.name() + ".jobs CASCADE");
      assertThatThrownBy(() -> s.find(JobIds.newId(clock)))
          .isInstanceOf(JobStoreException.class)
          .hasMessageContaining("find")
          .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("42P01"));
    }
  }

  @Test
  void anUnreachableDatabaseIsAStoreErrorWithAConnectionSqlState() {
    assertThatThrownBy(() -> PostgresJobStore.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:1/none")
            .user("nobody").connectionTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(JobStoreException.class)
        .hasMessageContaining("cannot connect")
        .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).startsWith("08"));
  }

  @Test
  void badSettingsFailTheBuilderNamingTheSettingAndValue() {
    assertConfig(b -> b.schema("Public"), "schema", "'Public'");
    assertConfig(b -> b.schema("x;drop"), "schema", "'x;drop'");
    assertConfig(b -> b.tablePrefix("my-prefix"), "tablePrefix", "'my-prefix'");
    assertConfig(b -> b.jdbcUrl("jdbc:mysql://db/x"), "jdbcUrl", "jdbc:mysql://db/x");
    assertConfig(b -> b.maxPoolSize(0), "maxPoolSize", "0");
    assertConfig(b -> b.connectionTimeout(Duration.ofMillis(10)), "connectionTimeout", "PT0.01S");
    assertConfig(b -> b.listenerReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)), "listenerReconnectBackoff", "PT0S");
    assertConfig(b -> b.listenerReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "max", "PT1S");
    assertConfig(b -> b.listenerConnectWait(Duration.ofSeconds(-1)), "listenerConnectWait", "PT-1S");
    assertThatThrownBy(() -> PostgresJobStore.builder().build())
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("dataSource").hasMessageContaining("jdbcUrl");
    assertThatThrownBy(() -> PostgresJobStore.builder().dataSource(schema.dataSource()).jdbcUrl("jdbc:postgresql://x/y").build())
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("both");
  }

  private static void assertConfig(Consumer<PostgresJobStore.Builder> setting, String name, String value) {
    assertThatThrownBy(() -> setting.accept(PostgresJobStore.builder()))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining(name).hasMessageContaining(value);
  }
}
