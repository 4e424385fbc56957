package dev.asyncjobs.generators.openai;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RateLimitScenario} with each node on its own {@link PostgresJobStore} over one schema, as
 * two processes on one database: the back-off one node's 429 writes holds the other node's claims
 * too (the store's {@code LIMITS}, migration V9).
 */
class RateLimitPostgresTest extends RateLimitScenario {
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  private final List<PostgresJobStore> stores = new ArrayList<>();

  @Override
  JobStore store(int node) {
    PostgresJobStore store = PostgresJobStore.builder().dataSource(schema.dataSource()).schema(schema.name()).build();
    stores.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(PostgresJobStore::close);
  }
}
