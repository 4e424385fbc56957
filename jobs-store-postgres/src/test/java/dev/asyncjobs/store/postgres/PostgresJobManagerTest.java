package dev.asyncjobs.store.postgres;

import dev.asyncjobs.JobStore;
import dev.asyncjobs.tck.JobManagerContract;
import dev.asyncjobs.tck.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The manager contract (bad input, owner isolation, slow subscribers) on PostgreSQL. */
class PostgresJobManagerTest extends JobManagerContract {
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
