package dev.asyncjobs.tck;

import dev.asyncjobs.spi.JobStore;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The store suite of {@link JobStoreTck}: each test gets a new store (closed after the test) on a
 * new {@link MutableClock} standing at {@link MutableClock#DEFAULT_START}; the test moves the clock
 * itself. The suite is split by topic into the interfaces this class implements; their test methods
 * are inherited.
 */
abstract class JobStoreContract
    implements InsertContract,
        QueryContract,
        ClaimContract,
        LeaseContract,
        LifecycleContract,
        ProgressContract,
        CancelContract,
        StatusTransitionContract,
        QuotaContract,
        IdempotencyContract,
        CleanupContract,
        StatsContract,
        EventContract,
        EventLogContract,
        OutputContract,
        LimitContract,
        FairClaimContract,
        UsageContract,
        BudgetContract,
        ResultCacheContract,
        AdminContract,
        ScheduleContract,
        ConcurrencyContract {

  private @Nullable MutableClock clock;
  private @Nullable JobStore store;

  /** For subclasses. */
  protected JobStoreContract() {}

  /**
   * A new store with no jobs and no quota records, whose {@link JobStore#clock()} is {@code clock}.
   * Called before each test; the store is closed after it.
   *
   * @param clock the clock the store must use
   * @return the store
   */
  protected abstract JobStore createStore(MutableClock clock);

  /** Creates the clock and the store of one test. */
  @BeforeEach
  protected final void openStore(TestInfo test) {
    clock = new MutableClock();
    store = Objects.requireNonNull(createStore(clock), "createStore returned null");
    Capabilities.assumeDeclared(store, test);
  }

  /** Closes the store of one test. */
  @AfterEach
  protected final void closeStore() {
    JobStore s = store;
    store = null;
    if (s != null) {
      s.close();
    }
  }

  @Override
  public final JobStore store() {
    return Objects.requireNonNull(store, "the store exists only while a test runs");
  }

  @Override
  public final MutableClock clock() {
    return Objects.requireNonNull(clock, "the clock exists only while a test runs");
  }
}
