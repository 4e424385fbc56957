package dev.asyncjobs.store.postgres;

import dev.asyncjobs.JobStore;
import dev.asyncjobs.tck.JobStoreContract;
import dev.asyncjobs.tck.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole store contract on PostgreSQL. */
class PostgresJobStoreTest extends JobStoreContract {
  private static TestSchema schema;

  @BeforeAll
  static void createSchema() {
    schema = PostgresTestDatabase.newSchema();
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @Override
  protected JobStore createStore(MutableClock clock) {
    return schema.emptyStore(clock);
  }
}
