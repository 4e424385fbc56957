package dev.asyncjobs.tck;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Clock;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.Nested;

/**
 * The contract every {@link JobStore} must pass, in one class: a store's test extends it and
 * supplies a fresh, empty store on the clock it is given.
 *
 * <pre>{@code
 * class MyJobStoreTest extends JobStoreTck {
 *   @Override
 *   protected JobStore createStore(Clock clock) {
 *     return MyJobStore.create(dataSource, clock); // empty: no jobs, no quota records, no events
 *   }
 * }
 * }</pre>
 *
 * <p>It runs three suites as nested test classes: <b>store</b> (every SPI operation on its own:
 * insert, query, claim, leases, the lifecycle and its status transitions, progress, cancellation,
 * idempotency, cleanup, the event log and subscriptions, concurrency, and the optional quotas and
 * statistics), <b>manager</b> ({@link JobManager} on the store: bad input changes nothing, owner
 * isolation, events, slow subscribers) and <b>worker</b> ({@link JobWorker} with real threads:
 * pickup, retries, timeouts, cancellation, rescue of a crashed worker's jobs, lease fencing,
 * shutdown). Tests of an optional {@link StoreCapability} run only when the store declares it in
 * {@link JobStore#capabilities()}, and are reported as skipped otherwise.
 *
 * <p>Each test gets a new store, closed after the test. Tests that move time hand the store a
 * {@link MutableClock}; the others the system clock. JUnit extensions registered on the subclass
 * (a database per test class, say) apply to every nested suite.
 */
@DisplayNameGeneration(SuiteNames.class)
public abstract class JobStoreTck {

  /** For subclasses. */
  protected JobStoreTck() {}

  /**
   * A new store with no jobs, no quota records and no events, whose {@link JobStore#clock()} is
   * {@code clock}. Called before each test (at most once per test); the store is closed after it.
   *
   * @param clock the clock the store must use: a {@link MutableClock} that the test moves, or the
   *     system clock
   * @return the store
   */
  protected abstract JobStore createStore(Clock clock);

  /** The store suite: each SPI operation and its rules. */
  @Nested
  class StoreSuite extends JobStoreContract {
    @Override
    protected JobStore createStore(MutableClock clock) {
      return JobStoreTck.this.createStore(clock);
    }
  }

  /** The manager suite: {@link JobManager} on the store. */
  @Nested
  class ManagerSuite extends JobManagerContract {
    @Override
    protected JobStore createStore(MutableClock clock) {
      return JobStoreTck.this.createStore(clock);
    }
  }

  /** The schedule suite: recurring jobs and maintenance with real workers. */
  @Nested
  class ScheduleSuite extends ScheduleWorkerContract {
    @Override
    protected JobStore createStore(Clock clock) {
      return JobStoreTck.this.createStore(clock);
    }
  }

  /** The worker suite: {@link JobWorker} and {@code ManualWorker} on the store, with real threads. */
  @Nested
  class WorkerSuite extends WorkerContract {
    @Override
    protected JobStore createStore(Clock clock) {
      return JobStoreTck.this.createStore(clock);
    }
  }
}
