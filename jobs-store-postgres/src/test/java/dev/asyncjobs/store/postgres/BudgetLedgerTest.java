package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.Job;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.Concurrently;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.BudgetContract;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The budget ledger on PostgreSQL beyond the contract suite: two stores with pools of their own
 * (as two processes) racing for the last of a budget never pass it together; the ledger outlives
 * the jobs it counts until no window reaches it; a rolled-back caller transaction reserves nothing.
 */
class BudgetLedgerTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @BeforeEach
  void emptyTables() {
    schema.emptyStore(Clock.systemUTC()).close();
  }

  private static InsertRequest budgeted(Clock clock, String owner, BigDecimal limit, Instant from, BudgetAmount each, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(NewJobBuilder.newJob(clock).owner(owner).build());
    }
    BudgetBound bound = new BudgetBound(BudgetExceededException.Limit.COST_PER_MONTH, limit, from, from.plus(Duration.ofDays(30)));
    return BudgetContract.budgetedInsert(jobs, owner, List.of(bound), each);
  }

  private static String ledgerSum(String owner) {
    return schema.value("SELECT coalesce(sum(cost), 0) FROM " + schema.table("jobs_budget_ledger") + " WHERE owner_id = '" + owner + "'");
  }

  /** 0.07 a job under a bound of 1: 14 jobs fit (0.98), the 15th would pass it, whichever process asks. */
  @Test
  void twoStoresWithPoolsOfTheirOwnRacingForTheLastOfABudgetNeverPassItTogether() {
    TestPostgres.Server server = TestPostgres.server();
    List<PostgresJobStore> stores = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        stores.add(PostgresJobStore.builder().jdbcUrl(server.url()).user(server.user()).password(server.password())
            .maxPoolSize(4).schema(schema.name()).clock(Clock.systemUTC()).build());
      }
      Instant from = Instant.now().minus(Duration.ofMinutes(1));
      BudgetAmount each = new BudgetAmount(new BigDecimal("0.07"), 10);
      List<Concurrently.Outcome<Integer>> outcomes = Concurrently.run(8, Duration.ofSeconds(60), t -> {
        PostgresJobStore store = stores.get(t % 2);
        int made = 0;
        for (int i = 0; i < 6; i++) {
          try {
            // some threads ask for two at once: all or none of a batch counts
            made += store.insert(budgeted(Clock.systemUTC(), "alice", BigDecimal.ONE, from, each, t % 4 == 3 ? 2 : 1)).size();
          } catch (BudgetExceededException refused) {
            assertThat(refused.counted().add(refused.requested())).isGreaterThan(BigDecimal.ONE);
          }
        }
        return made;
      });
      int made = 0;
      for (Concurrently.Outcome<Integer> o : outcomes) {
        assertThat(o.error()).isNull();
        made += o.value();
      }
      // A single job is refused only once 14 count (0.98 + 0.07 > 1), and the singles try 36 times.
      assertThat(made).isEqualTo(14);
      assertThat(new BigDecimal(ledgerSum("alice"))).isEqualByComparingTo(each.cost().multiply(BigDecimal.valueOf(made)))
          .isLessThanOrEqualTo(BigDecimal.ONE);
      assertThat(schema.value("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(String.valueOf(made));
      assertThat(stores.get(1).budgetCounted("alice", from).cost()).isEqualByComparingTo(each.cost().multiply(BigDecimal.valueOf(made)));
    } finally {
      stores.forEach(PostgresJobStore::close);
    }
  }

  /** A month's budget still counts a job that retention deleted; only rows older than 62 days go. */
  @Test
  void retentionKeepsLedgerRowsPastTheirJobsAndPrunesOnlyThoseOlderThanSixtyTwoDays() {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      Instant t0 = clock.instant();
      BudgetAmount dollar = new BudgetAmount(BigDecimal.ONE, 0);
      Job old = store.insert(budgeted(clock, "alice", BigDecimal.TEN, t0, dollar, 1)).get(0);
      store.cancel("alice", old.id());
      clock.advance(Duration.ofDays(1));
      assertThat(store.deleteFinishedBefore(clock.instant(), 100)).isEqualTo(1);
      assertThat(store.find(old.id())).isEmpty();
      assertThat(store.budgetCounted("alice", t0)).as("the job is gone, its count is not").isEqualTo(dollar);

      clock.advance(Duration.ofDays(60)); // 61 days after t0
      Job young = store.insert(budgeted(clock, "alice", BigDecimal.TEN, t0, dollar, 1)).get(0);
      store.deleteFinishedBefore(clock.instant(), 100);
      assertThat(store.budgetCounted("alice", t0)).as("61 days: kept").isEqualTo(new BudgetAmount(BigDecimal.valueOf(2), 0));

      clock.advance(Duration.ofDays(2)); // 63 days after t0, 2 after young
      store.deleteFinishedBefore(clock.instant(), 100);
      assertThat(store.budgetCounted("alice", t0)).as("63 days: the old row is pruned").isEqualTo(dollar);
      assertThat(schema.value("SELECT job_id FROM " + schema.table("jobs_budget_ledger"))).isEqualTo(young.id().toString());
    }
  }

  @Test
  void aRolledBackCallerTransactionReservesNothing() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build(); Connection c = schema.dataSource().getConnection()) {
      c.setAutoCommit(false);
      Job job = store.insert(budgeted(clock, "alice", BigDecimal.ONE, clock.instant(), new BudgetAmount(BigDecimal.ONE, 1), 1)
          .inTransaction(c)).get(0);
      assertThat(job.budgetReserved()).isEqualTo(new BudgetAmount(BigDecimal.ONE, 1));
      c.rollback();
      assertThat(ledgerSum("alice")).isEqualTo("0");
      assertThat(store.insert(budgeted(clock, "alice", BigDecimal.ONE, clock.instant(), new BudgetAmount(BigDecimal.ONE, 1), 1)))
          .as("the whole budget is still there").hasSize(1);
    }
  }
}
