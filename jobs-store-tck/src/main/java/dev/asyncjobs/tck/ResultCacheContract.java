package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The result cache: keys kept on jobs, the latest completed job of a key, and jobs inserted COMPLETED from it. */
@RequiresCapability(StoreCapability.RESULT_CACHE)
public interface ResultCacheContract extends StoreFixture {
  /** The key most tests use. */
  String KEY = "a".repeat(64);

  /**
   * {@return a new job of {@code owner} with {@link #KEY}}
   *
   * @param owner the owner
   */
  default NewJob keyed(String owner) {
    NewJob nj = job().owner(owner).build();
    return new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(), nj.runAt(),
        nj.estimatedDuration(), nj.idempotencyKey(), nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY, null);
  }

  /**
   * Runs {@code nj} to completion with {@code result}.
   *
   * @param nj the job
   * @param result its result JSON
   * @return the completed job
   */
  default Job completed(NewJob nj, String result) {
    insert(nj);
    Job claimed = claimOne(TYPE);
    assertThat(claimed.id()).isEqualTo(nj.id());
    return store().complete(new Completion(lease(claimed), result, Duration.ofMillis(5)));
  }

  /** The latest completed job of a key is found, of the owner or of anyone; unfinished and failed ones are not. */
  @Test
  default void theLatestCompletedJobOfAKeyIsFound() {
    Instant t0 = clock().instant();
    Job unfinished = insert(keyed(OWNER));
    assertThat(unfinished.cacheKey()).isEqualTo(KEY);
    assertThat(store().findCached(KEY, OWNER, t0)).isEmpty();
    Job claimed = claimOne(TYPE);
    store().fail(new Failure(lease(claimed), "no", null));
    assertThat(store().findCached(KEY, OWNER, t0)).as("a failed job answers nothing").isEmpty();

    clock().advance(Duration.ofSeconds(1));
    Job first = completed(keyed(OWNER), "{\"v\":1}");
    clock().advance(Duration.ofSeconds(1));
    Job second = completed(keyed(OWNER), "{\"v\":2}");
    Job others = completed(keyed(OTHER_OWNER), "{\"v\":3}");

    assertThat(store().findCached(KEY, OWNER, t0)).get().extracting(Job::id).isEqualTo(second.id());
    assertThat(store().findCached(KEY, OTHER_OWNER, t0)).get().extracting(Job::id).isEqualTo(others.id());
    assertThat(store().findCached(KEY, null, t0)).get().extracting(Job::id).isIn(second.id(), others.id());
    assertThat(store().findCached(KEY, OWNER, clock().instant().plusMillis(1))).as("completed before the window").isEmpty();
    assertThat(store().findCached("b".repeat(64), OWNER, t0)).isEmpty();
    assertThat(first.cacheKey()).isEqualTo(KEY);
  }

  /** A job answered from the cache is COMPLETED at once, never claimed, and logged as created and completed. */
  @Test
  default void aCachedJobIsCompletedAtOnceAndNeverClaimed() {
    Job original = completed(keyed(OWNER), "{\"url\":\"https://example.com/x.png\"}");
    clock().advance(Duration.ofSeconds(1));
    NewJob nj = keyed(OWNER);
    NewJob copy = new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(), nj.runAt(),
        nj.estimatedDuration(), nj.idempotencyKey(), nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY,
        new CachedResult(original.id(), original.result()));

    Job cached = store().insert(InsertRequest.of(copy)).get(0);

    assertThat(cached.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(cached.cachedFrom()).isEqualTo(original.id());
    assertJsonEquals(cached.result(), "{\"url\":\"https://example.com/x.png\"}");
    assertThat(cached.progress()).isEqualTo(100);
    assertThat(cached.attempts()).isZero();
    assertThat(cached.finishedAt()).isEqualTo(clock().instant());
    assertThat(reload(cached)).isEqualTo(cached);
    assertThat(claim(5, TYPE)).isEmpty();
    List<JobEvent> events = store().readEvents(EventQuery.job(OWNER, cached.id(), 0, 100));
    assertThat(events).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.COMPLETED);
    // A copy is not a source: the original stays the answer.
    assertThat(store().findCached(KEY, OWNER, original.finishedAt())).get().extracting(Job::id).isEqualTo(original.id());
  }

  /**
   * {@return {@code nj} answered by joining (or, as the store finds it, copying) job {@code from}}
   *
   * @param nj a keyed job
   * @param from the job it joins
   */
  default NewJob joining(NewJob nj, java.util.UUID from) {
    return nj.withCached(CachedResult.joining(from));
  }

  /**
   * {@return the oldest unfinished original of {@link #KEY} due now}
   *
   * @param owner of this owner, or null for any
   */
  default java.util.Optional<Job> running(@org.jspecify.annotations.Nullable String owner) {
    return store().findRunning(KEY, owner, clock().instant());
  }

  /** {@return the stored job of {@code nj}, inserted alone} */
  private Job insertOne(NewJob nj) {
    return store().insert(InsertRequest.of(nj)).get(0);
  }

  /** The oldest unfinished original of a key is found, of the owner or of anyone; finished ones, copies and waiting jobs are not. */
  @Test
  default void theOldestUnfinishedJobOfAKeyIsFound() {
    assertThat(running(OWNER)).isEmpty();
    Job first = insert(keyed(OWNER));
    clock().advance(Duration.ofMillis(10));
    Job second = insert(keyed(OWNER));
    clock().advance(Duration.ofMillis(10)); // ids are ordered by the millisecond, at random within one
    Job others = insert(keyed(OTHER_OWNER));
    assertThat(running(OWNER)).get().extracting(Job::id).isEqualTo(first.id());
    assertThat(running(OTHER_OWNER)).get().extracting(Job::id).isEqualTo(others.id());
    assertThat(running(null)).get().extracting(Job::id).isEqualTo(first.id());
    assertThat(store().findRunning("b".repeat(64), OWNER, clock().instant())).isEmpty();

    Job claimed = claimOne(TYPE);
    assertThat(claimed.id()).isEqualTo(first.id());
    assertThat(running(OWNER)).as("PROCESSING counts").get().extracting(Job::id).isEqualTo(first.id());
    clock().advance(Duration.ofMillis(10));
    Job waiting = insertOne(joining(keyed(OWNER), first.id()));
    assertThat(waiting.waitsForAnotherJob()).isTrue();
    store().fail(new Failure(lease(claimed), "no", null));
    // first failed: the waiting job runs in its place, and is an original now, but second is older
    assertThat(running(OWNER)).get().extracting(Job::id).isEqualTo(second.id());
    store().cancel(OWNER, second.id());
    assertThat(running(OWNER)).get().extracting(Job::id).isEqualTo(waiting.id());
  }

  /** A job that joins one still running waits unclaimed and completes with it, in the same step. */
  @Test
  default void aJobJoiningARunningOneWaitsAndCompletesWithIt() {
    Job source = insert(keyed(OWNER));
    Job claimed = claimOne(TYPE);
    clock().advance(Duration.ofSeconds(1));
    Job waiting = insertOne(joining(keyed(OTHER_OWNER), source.id()));
    assertThat(waiting.status()).isEqualTo(JobStatus.PENDING);
    assertThat(waiting.waitsForAnotherJob()).isTrue();
    assertThat(waiting.cachedFrom()).isEqualTo(source.id());
    assertThat(waiting.runAt()).isEqualTo(CachedResult.WAITING_RUN_AT);
    assertThat(waiting.result()).isNull();
    assertThat(reload(waiting)).isEqualTo(waiting);
    assertThat(claim(5, TYPE)).as("a waiting job is never due").isEmpty();

    Job done = store().complete(new Completion(lease(claimed), "{\"url\":\"https://example.com/y.png\"}", Duration.ofMillis(5)));

    Job answered = reload(waiting);
    assertThat(answered.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(answered.waitsForAnotherJob()).isFalse();
    assertThat(answered.cachedFrom()).isEqualTo(source.id());
    assertJsonEquals(answered.result(), "{\"url\":\"https://example.com/y.png\"}");
    assertThat(answered.progress()).isEqualTo(100);
    assertThat(answered.attempts()).isZero();
    assertThat(answered.finishedAt()).isEqualTo(done.finishedAt());
    List<JobEvent> events = store().readEvents(EventQuery.job(OTHER_OWNER, waiting.id(), 0, 100));
    assertThat(events).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.COMPLETED);
    assertThat(events.get(1).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store().findCached(KEY, null, done.finishedAt())).as("the source stays the answer")
        .get().extracting(Job::id).isEqualTo(source.id());
  }

  /** A join decided at insert: a source that completed meanwhile is copied, one that failed or is gone gives a plain job. */
  @Test
  default void aJoinIsDecidedByTheSourcesStateAtInsert() {
    Job completed = completed(keyed(OWNER), "{\"v\":1}");
    Job copy = insertOne(joining(keyed(OWNER), completed.id()));
    assertThat(copy.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(copy.cachedFrom()).isEqualTo(completed.id());
    assertJsonEquals(copy.result(), "{\"v\":1}");
    assertThat(reload(copy)).isEqualTo(copy);

    Job failing = insert(keyed(OWNER));
    store().fail(new Failure(lease(claimOne(TYPE)), "no", null));
    NewJob late = keyed(OWNER);
    Job plain = insertOne(joining(late, failing.id()));
    assertThat(plain.status()).isEqualTo(JobStatus.PENDING);
    assertThat(plain.cachedFrom()).isNull();
    assertThat(plain.runAt()).isEqualTo(late.runAt());
    assertThat(reload(plain)).isEqualTo(plain);

    Job orphan = insertOne(joining(keyed(OWNER), java.util.UUID.randomUUID()));
    assertThat(orphan.status()).isEqualTo(JobStatus.PENDING);
    assertThat(orphan.cachedFrom()).isNull();
    assertThat(claim(5, TYPE)).extracting(Job::id).containsExactlyInAnyOrder(plain.id(), orphan.id());
  }

  /**
   * When the source fails for good, each owner's oldest waiting job runs in its place and the
   * owner's others wait for that one: no job comes to wait for another owner's job.
   */
  @Test
  default void whenTheSourceFailsEachOwnersOldestWaitingJobRunsAndTheOwnersOthersFollowIt() {
    Job source = insert(keyed(OWNER));
    Job claimed = claimOne(TYPE);
    Job first = insertOne(joining(keyed(OWNER), source.id()));
    clock().advance(Duration.ofMillis(5));
    Job second = insertOne(joining(keyed(OWNER), source.id()));
    clock().advance(Duration.ofMillis(5));
    Job others = insertOne(joining(keyed(OTHER_OWNER), source.id()));
    clock().advance(Duration.ofMillis(5));
    Job third = insertOne(joining(keyed(OWNER), source.id()));
    store().cancel(OWNER, third.id());
    assertThat(reload(third).status()).as("a waiting job may be cancelled alone").isEqualTo(JobStatus.CANCELLED);
    assertThat(reload(source).status()).isEqualTo(JobStatus.PROCESSING);

    store().fail(new Failure(lease(claimed), "provider down", clock().instant().plusSeconds(30)));
    assertThat(reload(first).waitsForAnotherJob()).as("a retry of the source changes nothing").isTrue();
    clock().advance(Duration.ofSeconds(30));
    Job again = claimOne(TYPE);
    assertThat(again.id()).isEqualTo(source.id());
    Job failed = store().fail(new Failure(lease(again), "provider down", null));

    for (Job runner : List.of(reload(first), reload(others))) {
      assertThat(runner.status()).isEqualTo(JobStatus.PENDING);
      assertThat(runner.cachedFrom()).isNull();
      assertThat(runner.runAt()).isEqualTo(failed.finishedAt());
    }
    assertThat(reload(second).cachedFrom()).isEqualTo(first.id());
    assertThat(reload(second).waitsForAnotherJob()).isTrue();
    assertThat(reload(third).status()).isEqualTo(JobStatus.CANCELLED);

    List<Job> running = claim(5, TYPE);
    assertThat(running).extracting(Job::id).containsExactlyInAnyOrder(first.id(), others.id());
    Job firstRunning = running.stream().filter(j -> j.id().equals(first.id())).findFirst().orElseThrow();
    store().complete(new Completion(lease(firstRunning), "{\"v\":2}", Duration.ofMillis(5)));
    assertThat(reload(second).status()).isEqualTo(JobStatus.COMPLETED);
    assertJsonEquals(reload(second).result(), "{\"v\":2}");
    assertThat(reload(second).cachedFrom()).isEqualTo(first.id());
  }

  /** A join that the store turns into a copy (its source completed meanwhile) reserves nothing against a budget. */
  @Test
  default void aJoinTurnedIntoACopyReservesNothing() {
    org.junit.jupiter.api.Assumptions.assumeTrue(declares(StoreCapability.BUDGETS), "needs BUDGETS");
    Job source = completed(keyed(OWNER), "{\"v\":1}");
    NewJob nj = joining(keyed(OWNER), source.id());
    dev.asyncjobs.BudgetAmount each = new dev.asyncjobs.BudgetAmount(new java.math.BigDecimal("0.25"), 10);
    Job copy = store().insert(InsertRequest.of(nj).withBudgets(new dev.asyncjobs.spi.BudgetCheck(java.util.Map.of(),
        java.util.Map.of(nj.id(), each)))).get(0);
    assertThat(copy.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(copy.budgetReserved()).isNull();
    assertThat(reload(copy).budgetReserved()).isNull();
    assertThat(store().budgetCounted(OWNER, clock().instant().minusSeconds(60)).tokens()).isZero();
  }

  /** A PENDING job due later is not one to join: a request for now does not wait for next week. */
  @Test
  default void onlyJobsDueByTheGivenTimeAreFoundToJoin() {
    NewJob nj = keyed(OWNER);
    Job scheduled = insertOne(new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(),
        clock().instant().plusSeconds(3600), null, null, nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY, null));
    assertThat(running(OWNER)).isEmpty();
    assertThat(store().findRunning(KEY, OWNER, clock().instant().plusSeconds(3600))).get().extracting(Job::id)
        .isEqualTo(scheduled.id());
  }

  /** A source cancelled while PENDING releases its waiting job as a failure does. */
  @Test
  default void aCancelledSourceReleasesTheJobWaitingForIt() {
    Job source = insert(keyed(OWNER));
    Job waiting = insertOne(joining(keyed(OTHER_OWNER), source.id()));
    Job cancelled = store().cancel(OWNER, source.id());
    Job runner = reload(waiting);
    assertThat(runner.waitsForAnotherJob()).isFalse();
    assertThat(runner.status()).isEqualTo(JobStatus.PENDING);
    assertThat(runner.runAt()).isEqualTo(cancelled.finishedAt());
    assertThat(claimOne(TYPE).id()).isEqualTo(waiting.id());
  }
}
