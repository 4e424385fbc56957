package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobStores;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.JobStoreProvider;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code JobStores.open("jdbc:postgresql:…")} finds this module's provider. */
class ProviderTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  private static Map<String, String> options() {
    TestPostgres.Server s = TestPostgres.server();
    Map<String, String> options = new HashMap<>();
    options.put("user", s.user());
    options.put("password", s.password());
    options.put("schema", schema.name());
    options.put("tablePrefix", "p_");
    options.put("autoMigrate", "true");
    options.put("maxPoolSize", "3");
    return options;
  }

  @Test
  void theProviderIsRegisteredAndSupportsOnlyPostgresUrls() {
    JobStoreProvider provider = ServiceLoader.load(JobStoreProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("postgres")).findFirst().orElseThrow();
    assertThat(provider).isInstanceOf(PostgresJobStoreProvider.class);
    assertThat(provider.supports("jdbc:postgresql://db/app")).isTrue();
    assertThat(provider.supports("memory:")).isFalse();
    assertThat(provider.supports("jdbc:mysql://db/app")).isFalse();
  }

  @Test
  void jobStoresOpensAWorkingStoreWithTheOptions() {
    try (JobStore store = JobStores.open(TestPostgres.server().url(), options())) {
      assertThat(store).isInstanceOf(PostgresJobStore.class);
      assertThat(((PostgresJobStore) store).schema()).isEqualTo(schema.name());
      assertThat(((PostgresJobStore) store).tablePrefix()).isEqualTo("p_");
      assertThat(store.find(java.util.UUID.randomUUID())).isEmpty();
      assertThat(schema.value("SELECT to_regclass('" + schema.name() + ".p_jobs') IS NOT NULL")).isEqualTo("t");
    }
  }

  @Test
  void badOptionsAreRefusedByName() {
    String url = TestPostgres.server().url();
    Map<String, String> unknown = options();
    unknown.put("shema", "x");
    assertThatThrownBy(() -> JobStores.open(url, unknown))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("'shema'").hasMessageContaining("tablePrefix");
    Map<String, String> notBoolean = options();
    notBoolean.put("autoMigrate", "yes");
    assertThatThrownBy(() -> JobStores.open(url, notBoolean))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("autoMigrate").hasMessageContaining("'yes'");
    Map<String, String> notNumber = options();
    notNumber.put("maxPoolSize", "many");
    assertThatThrownBy(() -> JobStores.open(url, notNumber))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("maxPoolSize").hasMessageContaining("'many'");
    Map<String, String> badSchema = options();
    badSchema.put("schema", "Robert'); DROP TABLE students;--");
    assertThatThrownBy(() -> JobStores.open(url, badSchema))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("schema");
  }
}
