package dev.asyncjobs.store.postgres;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobStoreContract;
import dev.asyncjobs.tck.MutableClock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole store contract on PostgreSQL. */
class PostgresJobStoreTest extends JobStoreContract {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Override
  protected JobStore createStore(MutableClock clock) {
    return schema.emptyStore(clock);
  }
}
