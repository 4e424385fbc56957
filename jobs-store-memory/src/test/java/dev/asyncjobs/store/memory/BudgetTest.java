package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.BudgetLimits;
import dev.asyncjobs.BudgetPolicy;
import dev.asyncjobs.BudgetStatus;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobType;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.Usage;
import dev.asyncjobs.tck.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Budgets end to end: reserved at create from the estimate, refused over the limit, settled to what jobs consumed. */
class BudgetTest {
  private static final Currency USD = Currency.getInstance("USD");
  /** $4 per million output tokens: 1,000 tokens cost 0.004. */
  private static final PriceTable PRICES = PriceTable.builder(USD).perMillion("talk-1", Usage.Unit.OUTPUT_TOKENS, "4").build();

  /** Estimates {@code estimate} output tokens, reports {@code actual}, and fails for good when asked to. */
  static final class Talker extends AbstractGenerator<Talker.Ask> {
    static final JobType<Ask> TYPE = JobType.of("talk", Ask.class);

    record Ask(long estimate, long actual, boolean fail) {}

    Talker() {
      super(TYPE);
    }

    @Override
    public Usage estimateUsage(Ask ask) {
      return Usage.of("talk-1").outputTokens(ask.estimate()).build();
    }

    @Override
    public Object generate(Ask ask, JobContext context) {
      context.reportUsage(Usage.of("talk-1").outputTokens(ask.actual()).build());
      if (ask.fail()) {
        throw new PermanentGenerationException("the reply was refused after it was paid for");
      }
      return Map.of("ok", true);
    }
  }

  private static JobRequest ask(String owner, long estimate, long actual, boolean fail) {
    return JobRequest.of(owner, Talker.TYPE, new Talker.Ask(estimate, actual, fail));
  }

  private static JobManager manager(MutableClock clock, BudgetLimits limits) {
    return JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(new Talker()).prices(PRICES)
        .budgetPolicy(BudgetPolicy.builder().defaults(limits).owner("rich", BudgetLimits.NONE).build()).build();
  }

  @Test
  void theEstimateIsReservedAtCreateAndTheCreatePastTheLimitIsRefusedStoringNothing() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = manager(clock, BudgetLimits.builder().costPerDay("0.01", USD).build())) {
      Job first = jobs.create(ask("alice", 1_000, 500, false));
      jobs.create(ask("alice", 1_000, 500, false));
      assertThat(first.budgetReserved()).isEqualTo(new BudgetAmount(new BigDecimal("0.004"), 1_000));

      assertThatThrownBy(() -> jobs.create(ask("alice", 1_000, 500, false)))
          .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
            assertThat(e.limit()).isEqualTo(BudgetExceededException.Limit.COST_PER_DAY);
            assertThat(e.counted()).isEqualByComparingTo("0.008");
            assertThat(e.requested()).isEqualByComparingTo("0.004");
            assertThat(e.resetsAt()).isEqualTo(clock.instant().atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1)
                .atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
            assertThat(e).hasMessageContaining("budget exceeded: at most 0.01 per day");
          });
      assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).hasSize(2);
      assertThat(jobs.create(ask("rich", 1_000_000, 0, false)).budgetReserved()).as("an owner without limits is not budgeted").isNull();

      // Both run and consume half their estimate: the budget counts what they consumed.
      ManualWorker.of(jobs).runDue();
      BudgetStatus status = jobs.budget("alice");
      assertThat(status.today()).isEqualTo(new BudgetAmount(new BigDecimal("0.004"), 1_000));
      assertThat(status.thisMonth()).isEqualTo(status.today());
      assertThat(status.limits().costPerDay()).isEqualByComparingTo("0.01");
      assertThat(jobs.create(ask("alice", 1_000, 500, false)).status()).isEqualTo(JobStatus.PENDING);
    }
  }

  @Test
  void aFailedJobCountsWhatItConsumedAndACancelledOneWhatItHad() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = manager(clock, BudgetLimits.builder().tokensPerMonth(10_000).build())) {
      Job failing = jobs.create(ask("bob", 4_000, 700, true));
      Job cancelled = jobs.create(ask("bob", 4_000, 0, false));
      assertThat(jobs.budget("bob").thisMonth().tokens()).isEqualTo(8_000);
      assertThatThrownBy(() -> jobs.create(ask("bob", 4_000, 0, false))).isInstanceOf(BudgetExceededException.class)
          .hasMessageContaining("tokens per month");

      assertThat(jobs.cancel("bob", cancelled.id()).status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(jobs.budget("bob").thisMonth().tokens()).isEqualTo(4_000);
      Job failed = ManualWorker.of(jobs).runNext().orElseThrow();
      assertThat(failed.id()).isEqualTo(failing.id());
      assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
      assertThat(jobs.budget("bob").thisMonth().tokens()).as("what the failed attempt was billed").isEqualTo(700);
    }
  }

  @Test
  void aNewDayStartsAfreshAndTheMonthStillCounts() {
    MutableClock clock = new MutableClock(Instant.parse("2026-05-10T23:00:00Z"));
    try (JobManager jobs = manager(clock, BudgetLimits.builder().costPerDay("0.004", USD).costPerMonth("0.006", USD).build())) {
      jobs.create(ask("carol", 1_000, 1_000, false));
      assertThatThrownBy(() -> jobs.create(ask("carol", 1, 1, false))).isInstanceOfSatisfying(BudgetExceededException.class,
          e -> assertThat(e.limit()).isEqualTo(BudgetExceededException.Limit.COST_PER_DAY));
      clock.advance(Duration.ofHours(2)); // 2026-05-11 01:00
      assertThat(jobs.budget("carol").today()).isEqualTo(BudgetAmount.ZERO);
      assertThatThrownBy(() -> jobs.create(ask("carol", 1_000, 1_000, false))).isInstanceOfSatisfying(BudgetExceededException.class,
          e -> {
            assertThat(e.limit()).isEqualTo(BudgetExceededException.Limit.COST_PER_MONTH);
            assertThat(e.resetsAt()).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
          });
      assertThat(jobs.create(ask("carol", 500, 500, false)).budgetReserved()).isNotNull();
    }
  }

  @Test
  void theDocumentedBudget() {
    MutableClock clock = new MutableClock();
    InMemoryJobStore store = new InMemoryJobStore(clock);
    PriceTable prices = PRICES;
    // EXAMPLE-BEGIN budget-policy
    BudgetPolicy budgets = BudgetPolicy.builder()
        .defaults(BudgetLimits.builder()
            .costPerDay("2.00", Currency.getInstance("USD"))     // the price table's currency
            .costPerMonth("20.00", Currency.getInstance("USD"))
            .tokensPerDay(2_000_000)
            .build())
        .owner("team-pro", BudgetLimits.builder().costPerMonth("500", Currency.getInstance("USD")).build())
        .build();
    JobManager jobs = JobManager.builder().store(store).generator(new Talker()).prices(prices).budgetPolicy(budgets).build();

    BudgetStatus alice = jobs.budget("alice");          // limits, what today and this month count, when each resets
    // EXAMPLE-END budget-policy
    assertThat(alice.today()).isEqualTo(BudgetAmount.ZERO);
    assertThat(jobs.budget("team-pro").limits().costPerDay()).isNull();
    jobs.close();
  }

  @Test
  void aBudgetInAnotherCurrencyThanThePricesIsAConfigurationError() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = manager(clock, BudgetLimits.builder().costPerDay("1", Currency.getInstance("EUR")).build())) {
      assertThatThrownBy(() -> jobs.create(ask("dave", 1, 1, false))).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("EUR").hasMessageContaining("USD");
    }
    assertThatThrownBy(() -> BudgetLimits.builder().costPerDay("1", USD).costPerMonth("5", Currency.getInstance("EUR")))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("one currency");
    assertThatThrownBy(() -> BudgetLimits.builder().costPerDay("-1", USD)).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("costPerDay must not be negative");
    assertThatThrownBy(() -> BudgetLimits.builder().costPerDay("lots", USD)).isInstanceOf(JobConfigurationException.class);
    assertThatThrownBy(() -> BudgetLimits.builder().tokensPerDay(-5)).isInstanceOf(JobConfigurationException.class);
  }
}
