package dev.asyncjobs.store.postgres;

import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.time.Clock;
import java.time.Duration;

/**
 * The shared {@link PostgresSchema} (a fresh schema and pool on the test server, per test class as
 * {@code @RegisterExtension static final TestSchema schema = new TestSchema();}, or opened with
 * {@link #open()} and closed by the caller) with this module's store on it.
 */
public final class TestSchema extends PostgresSchema {
  /** A schema made when the test class starts (as an extension) or by {@link #open()}. */
  public TestSchema() {}

  @Override
  public TestSchema open() {
    super.open();
    return this;
  }

  /** A store builder on this schema and pool, with a short listener backoff. */
  public PostgresJobStore.Builder storeBuilder(Clock clock) {
    return PostgresJobStore.builder().dataSource(dataSource()).schema(name()).clock(clock)
        .listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  /** A store on this schema whose tables are empty (a store per test of a contract suite). */
  public PostgresJobStore emptyStore(Clock clock) {
    return emptyStore(storeBuilder(clock));
  }

  /** The store {@code builder} builds, on this schema, with its tables emptied. */
  public PostgresJobStore emptyStore(PostgresJobStore.Builder builder) {
    PostgresJobStore store = builder.build();
    execute("TRUNCATE " + name() + ".jobs, " + name() + ".jobs_quota_ledger, " + name() + ".jobs_events, " + name()
        + ".jobs_limits, " + name() + ".jobs_limit_ledger, " + name() + ".jobs_budget_ledger, " + name() + ".jobs_schedules RESTART IDENTITY");
    execute("UPDATE " + name() + ".jobs_events_pruned SET through = 0");
    return store;
  }
}
