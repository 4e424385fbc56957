package dev.asyncjobs.store.postgres;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobStoreTck;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole contract suite on PostgreSQL (store, manager and worker), on one schema of its own that
 * each test starts empty; the worker suite's threads share the table as processes would.
 */
class PostgresJobStoreTest extends JobStoreTck {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Override
  protected JobStore createStore(Clock clock) {
    return schema.emptyStore(clock);
  }
}
