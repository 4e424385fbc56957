package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.tck.FairClaimContract;
import dev.asyncjobs.tck.MutableClock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fair-claim contract on a store built with {@code fairClaimIndex(true)}, so that fair claims
 * read the owner index ({@code jobs_fair_candidates}). {@link PostgresJobStoreTest} runs the same
 * contract without it ({@code jobs_fair_scan}): both must give the same order.
 */
class FairClaimIndexContractTest implements FairClaimContract {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  private @Nullable MutableClock clock;
  private @Nullable PostgresJobStore store;

  @BeforeEach
  void openStore() {
    MutableClock c = new MutableClock();
    clock = c;
    store = schema.emptyStore(schema.storeBuilder(c).fairClaimIndex(true));
    assertThat(schema.value("SELECT i.indisvalid FROM pg_index AS i WHERE i.indexrelid = to_regclass('" + schema.name()
        + ".jobs_pending_owner_idx')")).as("the index the claims are to read").isEqualTo("t");
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Override
  public JobStore store() {
    return Objects.requireNonNull(store);
  }

  @Override
  public MutableClock clock() {
    return Objects.requireNonNull(clock);
  }
}
