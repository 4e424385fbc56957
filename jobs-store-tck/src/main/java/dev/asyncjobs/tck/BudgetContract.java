package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.Job;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.BudgetCheck;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Budgets: {@code insert} checks the owner's bounds and records reservations in one atomic step,
 * {@code settleBudget} replaces a reservation, {@code budgetCounted} adds a window up.
 */
@RequiresCapability(StoreCapability.BUDGETS)
public interface BudgetContract extends StoreFixture {

  /** A cost bound of {@code value} over the window starting {@code from}, resetting a day later. */
  private static BudgetBound costBound(String value, Instant from) {
    return new BudgetBound(BudgetExceededException.Limit.COST_PER_DAY, new BigDecimal(value), from, from.plus(Duration.ofDays(1)));
  }

  /**
   * Inserts jobs of {@code owner}, each reserving {@code each}, checked against {@code bounds}.
   *
   * @param owner the owner
   * @param bounds the owner's bounds
   * @param each what each job reserves
   * @param n how many jobs in the one insert
   * @return the stored jobs
   */
  default List<Job> insertBudgeted(String owner, List<BudgetBound> bounds, BudgetAmount each, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job().owner(owner).build());
    }
    return store().insert(budgetedInsert(jobs, owner, bounds, each));
  }

  /**
   * {@return an insert of {@code jobs} (all of {@code owner}), each reserving {@code each}, checked
   * against {@code bounds}}
   *
   * @param jobs the new jobs
   * @param owner their owner
   * @param bounds the owner's bounds
   * @param each what each job reserves
   */
  static InsertRequest budgetedInsert(List<NewJob> jobs, String owner, List<BudgetBound> bounds, BudgetAmount each) {
    Map<UUID, BudgetAmount> reservations = new HashMap<>();
    for (NewJob nj : jobs) {
      reservations.put(nj.id(), each);
    }
    return InsertRequest.of(jobs).withBudgets(new BudgetCheck(Map.of(owner, bounds), reservations));
  }

  /** Reservations count until the bound; the create that would pass it is refused and stores nothing. */
  @Test
  default void reservationsCountUntilTheBoundAndTheCreateThatWouldPassItStoresNothing() {
    Instant from = clock().instant().minusSeconds(60);
    List<BudgetBound> bounds = List.of(costBound("1.00", from));
    BudgetAmount tenCents = new BudgetAmount(new BigDecimal("0.10"), 100);

    List<Job> first = insertBudgeted(OWNER, bounds, tenCents, 9);
    assertThat(first).allSatisfy(j -> assertThat(j.budgetReserved()).isEqualTo(tenCents));
    assertThat(reload(first.get(0)).budgetReserved()).isEqualTo(tenCents);
    assertThat(store().budgetCounted(OWNER, from)).isEqualTo(new BudgetAmount(new BigDecimal("0.9"), 900));

    assertThatThrownBy(() -> insertBudgeted(OWNER, bounds, tenCents, 2))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
          assertThat(e.ownerId()).isEqualTo(OWNER);
          assertThat(e.limit()).isEqualTo(BudgetExceededException.Limit.COST_PER_DAY);
          assertThat(e.counted()).isEqualByComparingTo("0.9");
          assertThat(e.requested()).isEqualByComparingTo("0.2");
          assertThat(e.resetsAt()).isEqualTo(from.plus(Duration.ofDays(1)));
          assertThat(e.code()).isEqualTo("budget_exceeded");
        });
    assertThat(store().budgetCounted(OWNER, from)).isEqualTo(new BudgetAmount(new BigDecimal("0.9"), 900));
    assertThat(insertBudgeted(OWNER, bounds, tenCents, 1)).hasSize(1); // exactly at the bound
    // At the bound, even a create that reserves nothing is refused: nothing is left.
    assertThatThrownBy(() -> insertBudgeted(OWNER, bounds, BudgetAmount.ZERO, 1)).isInstanceOf(BudgetExceededException.class);
    // Another owner has a budget of its own.
    assertThat(insertBudgeted(OTHER_OWNER, bounds, tenCents, 5)).hasSize(5);
  }

  /** Retrying an idempotent create once the budget is spent returns the stored job: a replay spends nothing. */
  @Test
  default void anIdempotentReplayIsNotCheckedAgainstASpentBudget() {
    Instant from = clock().instant().minusSeconds(60);
    NewJob first = job().owner(OWNER).idempotencyKey("order-7").build();
    List<BudgetBound> bounds = List.of(costBound("1", from));
    Job stored = store().insert(InsertRequest.of(first)
        .withBudgets(new BudgetCheck(Map.of(OWNER, bounds), Map.of(first.id(), new BudgetAmount(BigDecimal.ONE, 0))))).get(0);
    NewJob retry = job().owner(OWNER).idempotencyKey("order-7").build();

    List<Job> again = store().insert(InsertRequest.of(retry)
        .withBudgets(new BudgetCheck(Map.of(OWNER, bounds), Map.of(retry.id(), new BudgetAmount(BigDecimal.ONE, 0)))));

    assertThat(again).extracting(Job::id).containsExactly(stored.id());
    assertThat(store().budgetCounted(OWNER, from).cost()).isEqualByComparingTo("1");
  }

  /** Settling replaces the reservation: a cheaper job gives room back, a dearer one takes more. */
  @Test
  default void settlingReplacesTheReservation() {
    Instant from = clock().instant().minusSeconds(60);
    List<BudgetBound> bounds = List.of(costBound("1", from));
    List<Job> jobs = insertBudgeted(OWNER, bounds, new BudgetAmount(new BigDecimal("0.5"), 0), 2);
    assertThatThrownBy(() -> insertBudgeted(OWNER, bounds, new BudgetAmount(new BigDecimal("0.01"), 0), 1))
        .isInstanceOf(BudgetExceededException.class);

    store().settleBudget(jobs.get(0).id(), new BudgetAmount(new BigDecimal("0.125"), 40));
    store().settleBudget(jobs.get(1).id(), BudgetAmount.ZERO); // failed before spending anything
    assertThat(store().budgetCounted(OWNER, from)).isEqualTo(new BudgetAmount(new BigDecimal("0.125"), 40));
    assertThat(insertBudgeted(OWNER, bounds, new BudgetAmount(new BigDecimal("0.875"), 0), 1)).hasSize(1);

    store().settleBudget(UUID.randomUUID(), new BudgetAmount(BigDecimal.TEN, 1)); // no such job: nothing
    Job plain = pending();
    store().settleBudget(plain.id(), new BudgetAmount(BigDecimal.TEN, 1)); // not budgeted: nothing
    assertThat(plain.budgetReserved()).isNull();
    assertThat(store().budgetCounted(OWNER, from)).isEqualTo(new BudgetAmount(BigDecimal.ONE, 40));
  }

  /** A job deleted by retention before it was settled is still settled: the record outlives the job. */
  @Test
  default void aDeletedJobIsStillSettled() {
    Instant from = clock().instant().minusSeconds(60);
    Job job = insertBudgeted(OWNER, List.of(costBound("1", from)), new BudgetAmount(new BigDecimal("0.5"), 0), 1).get(0);
    Job claimed = claimOne(TYPE);
    assertThat(claimed.id()).isEqualTo(job.id());
    store().complete(new dev.asyncjobs.spi.Completion(lease(claimed), "{}", Duration.ofMillis(1)));
    clock().advance(Duration.ofMinutes(1));
    assertThat(store().deleteFinishedBefore(clock().instant(), 100)).isEqualTo(1);

    store().settleBudget(job.id(), new BudgetAmount(new BigDecimal("0.2"), 3));

    assertThat(store().budgetCounted(OWNER, from)).isEqualTo(new BudgetAmount(new BigDecimal("0.2"), 3));
  }

  /** Only jobs created in the window count; a token bound counts tokens. */
  @Test
  default void onlyTheWindowCountsAndTokenBoundsCountTokens() {
    Instant yesterday = clock().instant();
    insertBudgeted(OWNER, List.of(), new BudgetAmount(BigDecimal.ONE, 700), 1);
    clock().advance(Duration.ofHours(25));
    Instant today = clock().instant().minusSeconds(1);
    BudgetBound tokens = new BudgetBound(BudgetExceededException.Limit.TOKENS_PER_DAY, new BigDecimal(1000), today,
        today.plus(Duration.ofDays(1)));

    assertThat(store().budgetCounted(OWNER, today)).isEqualTo(BudgetAmount.ZERO);
    assertThat(store().budgetCounted(OWNER, yesterday)).isEqualTo(new BudgetAmount(BigDecimal.ONE, 700));
    assertThat(insertBudgeted(OWNER, List.of(tokens), new BudgetAmount(BigDecimal.TEN, 600), 1)).hasSize(1);
    assertThatThrownBy(() -> insertBudgeted(OWNER, List.of(tokens), new BudgetAmount(BigDecimal.ZERO, 401), 1))
        .isInstanceOfSatisfying(BudgetExceededException.class, e -> assertThat(e.limit()).isEqualTo(BudgetExceededException.Limit.TOKENS_PER_DAY));
  }

  /** Creates racing for the last of a budget never pass it together. */
  @Test
  default void racingCreatesNeverPassTheBoundTogether() {
    Instant from = clock().instant().minusSeconds(60);
    List<BudgetBound> bounds = List.of(costBound("1", from));
    BudgetAmount each = new BudgetAmount(new BigDecimal("0.1"), 0);
    List<Concurrently.Outcome<Integer>> outcomes = Concurrently.run(8, AWAIT, t -> {
      int made = 0;
      for (int i = 0; i < 5; i++) {
        try {
          made += insertBudgeted(OWNER, bounds, each, 1).size();
        } catch (BudgetExceededException refused) {
          // the budget is spent: the next tries are refused too
        }
      }
      return made;
    });
    int made = 0;
    for (Concurrently.Outcome<Integer> o : outcomes) {
      assertThat(o.error()).isNull();
      made += o.value();
    }
    assertThat(made).isEqualTo(10);
    assertThat(store().budgetCounted(OWNER, from).cost()).isEqualByComparingTo("1");
  }
}
