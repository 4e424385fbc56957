package dev.asyncjobs.store.postgres;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.JobManagerContract;
import dev.asyncjobs.tck.MutableClock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The manager contract (bad input, owner isolation, slow subscribers) on PostgreSQL. */
class PostgresJobManagerTest extends JobManagerContract {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Override
  protected JobStore createStore(MutableClock clock) {
    return schema.emptyStore(clock);
  }
}
