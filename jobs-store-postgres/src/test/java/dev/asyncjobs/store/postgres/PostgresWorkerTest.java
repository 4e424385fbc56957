package dev.asyncjobs.store.postgres;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.WorkerContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worker contract on PostgreSQL: workers in one process share the table as they would across processes. */
class PostgresWorkerTest extends WorkerContract {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Override
  protected JobStore createStore(Clock clock) {
    return schema.storeBuilder(clock).build();
  }
}
