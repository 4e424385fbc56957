package dev.asyncjobs.store.postgres;

import dev.asyncjobs.JobStore;
import dev.asyncjobs.tck.WorkerContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The worker contract on PostgreSQL: workers in one process share the table as they would across processes. */
class PostgresWorkerTest extends WorkerContract {
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
  protected JobStore createStore(Clock clock) {
    return schema.storeBuilder(clock).build();
  }
}
