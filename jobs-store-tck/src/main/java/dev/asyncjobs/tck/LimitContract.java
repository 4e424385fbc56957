package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits shared by every claimer: running, starts and units bounds on a type or a resource, pause,
 * back-off, settling units, deferred failures, and the state {@code limits()} reports.
 */
@RequiresCapability(StoreCapability.LIMITS)
public interface LimitContract extends StoreFixture {
  /** The resource the tests' jobs declare. */
  String RESOURCE = "tck:model-1";

  /**
   * Completes a claimed job.
   *
   * @param claimed the job, PROCESSING
   */
  default void completeJob(Job claimed) {
    store().complete(new Completion(lease(claimed), "{}", Duration.ofMillis(5)));
  }

  /**
   * Claims every type the tests use.
   *
   * @param limit at most this many
   * @return the claimed jobs
   */
  default List<Job> claimAny(int limit) {
    return claim(limit, TYPE, OTHER_TYPE);
  }

  /**
   * Inserts {@code n} due jobs of {@code builder}'s kind.
   *
   * @param n how many
   * @param builder what each looks like (a fresh id each time)
   * @return the jobs
   */
  default List<Job> insertMany(int n, NewJobBuilder builder) {
    List<Job> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(insert(builder));
    }
    return out;
  }

  /**
   * {@return the state of {@code name}, which must be listed}
   *
   * @param name a limit name
   */
  default LimitStatus status(String name) {
    return store().limits().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not among " + store().limits()));
  }

  /** A limit named like a type holds that type's running jobs to its maxRunning; a finished job frees its slot. */
  @Test
  default void maxRunningOnATypeHoldsItsRunningJobs() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(2).build());
    insertMany(5, job());
    List<Job> first = claim(10, TYPE);
    assertThat(first).hasSize(2);
    assertThat(claim(10, TYPE)).as("no slot left").isEmpty();
    completeJob(first.get(0));
    assertThat(claim(10, TYPE)).as("one slot freed").hasSize(1);
  }

  /** A resource limit binds every type whose jobs declare the resource, together; other jobs are not held. */
  @Test
  default void aResourceLimitIsSharedByEveryTypeThatDeclaresIt() {
    store().defineLimit(JobLimit.builder(RESOURCE).maxRunning(3).build());
    insertMany(3, job().type(TYPE).resources(RESOURCE));
    insertMany(3, job().type(OTHER_TYPE).resources(RESOURCE));
    insertMany(2, job().type(OTHER_TYPE));
    List<Job> claimed = claimAny(20);
    assertThat(claimed).hasSize(5);
    assertThat(claimed.stream().filter(j -> j.type().equals(OTHER_TYPE)).count()).isGreaterThanOrEqualTo(2);
    assertThat(status(RESOURCE).running()).isEqualTo(3);
    assertThat(status(RESOURCE).waiting()).isEqualTo(3);
  }

  /** A due job that does not fit is skipped, and the next one in claim order is taken. */
  @Test
  default void aJobThatDoesNotFitIsSkippedForTheNextOne() {
    store().defineLimit(JobLimit.builder(RESOURCE).maxRunning(1).build());
    Job busy = processing(job().priority(9).resources(RESOURCE));
    Job held = insert(job().priority(9).resources(RESOURCE));
    Job free = insert(job().priority(1));
    assertThat(claim(1, TYPE)).extracting(Job::id).containsExactly(free.id());
    assertThat(reload(held).status()).isEqualTo(JobStatus.PENDING);
    completeJob(busy);
    assertThat(claim(1, TYPE)).extracting(Job::id).containsExactly(held.id());
  }

  /**
   * A claim over several types takes what the bound of each leaves, and every due job of a type
   * without one: a claim asks for more than a binding limit has room for, and the store must neither
   * take more nor hold back the types that are free.
   */
  @Test
  default void aClaimOverSeveralTypesTakesTheRoomOfEachBound() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(2).build());
    processing(job().type(TYPE));
    insertMany(4, job().type(TYPE));
    insertMany(3, job().type(OTHER_TYPE));
    List<Job> first = claimAny(8);
    assertThat(first).extracting(Job::type).containsOnly(TYPE, OTHER_TYPE);
    assertThat(first.stream().filter(j -> j.type().equals(TYPE)).count()).as("the one slot left").isEqualTo(1);
    assertThat(first.stream().filter(j -> j.type().equals(OTHER_TYPE)).count()).as("no bound").isEqualTo(3);

    store().defineLimit(JobLimit.builder(OTHER_TYPE).maxRunning(5).build());
    insertMany(4, job().type(OTHER_TYPE));
    List<Job> second = claimAny(8);
    assertThat(second).as("the first type is full; two of the second's five are left").hasSize(2)
        .extracting(Job::type).containsOnly(OTHER_TYPE);
    assertThat(status(TYPE).running()).isEqualTo(2);
    assertThat(status(OTHER_TYPE).running()).isEqualTo(5);
  }

  /** Two limits on one job: it starts only when both have room. */
  @Test
  default void aJobUnderTwoLimitsNeedsRoomInBoth() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(5).build());
    store().defineLimit(JobLimit.builder(RESOURCE).maxRunning(1).build());
    insertMany(3, job().resources(RESOURCE));
    assertThat(claim(10, TYPE)).hasSize(1);
    assertThat(status(TYPE).running()).isEqualTo(1);
  }

  /** maxStarts counts the starts of the last interval, finished attempts included; the window slides. */
  @Test
  default void maxStartsCountsStartsInASlidingWindow() {
    Duration window = Duration.ofSeconds(10);
    store().defineLimit(JobLimit.builder(TYPE).maxStarts(2, window).build());
    insertMany(5, job());
    List<Job> first = claim(10, TYPE);
    assertThat(first).hasSize(2);
    first.forEach(this::completeJob);
    assertThat(claim(10, TYPE)).as("finished starts still count within the window").isEmpty();
    assertThat(status(TYPE).startsInWindow()).isEqualTo(2);
    clock().advance(window.minusSeconds(1));
    assertThat(claim(10, TYPE)).isEmpty();
    clock().advance(Duration.ofSeconds(1).plusMillis(1));
    assertThat(claim(10, TYPE)).as("the first starts left the window").hasSize(2);
  }

  /** maxUnits reserves each job's estimate; one that does not fit is skipped for a smaller one. */
  @Test
  default void maxUnitsReservesEstimatesAndSkipsWhatDoesNotFit() {
    store().defineLimit(JobLimit.builder(RESOURCE).maxUnits(10, Duration.ofMinutes(1)).build());
    Job a = insert(job().priority(9).units(4).resources(RESOURCE));
    Job b = insert(job().priority(8).units(4).resources(RESOURCE));
    Job c = insert(job().priority(7).units(4).resources(RESOURCE));
    Job d = insert(job().priority(6).units(2).resources(RESOURCE));
    assertThat(claim(10, TYPE)).extracting(Job::id).containsExactly(a.id(), b.id(), d.id());
    assertThat(status(RESOURCE).unitsInWindow()).isEqualTo(10);
    assertThat(reload(c).status()).isEqualTo(JobStatus.PENDING);
  }

  /** Settling with less than the estimate frees room in the window; with more, it takes room. */
  @Test
  default void settlingReplacesTheReservationInItsWindow() {
    store().defineLimit(JobLimit.builder(RESOURCE).maxUnits(10, Duration.ofMinutes(1)).build());
    insertMany(3, job().units(5).resources(RESOURCE));
    List<Job> first = claim(10, TYPE);
    assertThat(first).hasSize(2);
    store().settleUnits(lease(first.get(0)), 1);
    completeJob(first.get(0));
    assertThat(status(RESOURCE).unitsInWindow()).isEqualTo(6);
    List<Job> second = claim(10, TYPE);
    assertThat(second).as("6 units reserved, and 6 + 5 > 10").isEmpty();
    store().settleUnits(lease(first.get(1)), 0);
    assertThat(status(RESOURCE).unitsInWindow()).isEqualTo(1);
    assertThat(claim(10, TYPE)).hasSize(1);
    assertThat(status(RESOURCE).unitsInWindow()).isEqualTo(6);
  }

  /** A released attempt hands its number back; settling the next attempt changes only its own reservation. */
  @Test
  default void settlingChangesOnlyTheLatestStartOfAnAttemptNumber() {
    store().defineLimit(JobLimit.builder(RESOURCE).maxUnits(100, Duration.ofMinutes(1)).build());
    insert(job().units(5).resources(RESOURCE));
    Job first = claimOne(TYPE);
    store().release(lease(first));
    clock().advance(Duration.ofSeconds(1));
    Job second = claimOne(TYPE);
    assertThat(second.attempts()).isEqualTo(first.attempts());
    store().settleUnits(lease(second), 2);
    assertThat(status(RESOURCE).unitsInWindow()).isEqualTo(7);
  }

  /** Settling an attempt that reserved nothing changes nothing. */
  @Test
  default void settlingWithoutAReservationDoesNothing() {
    Job running = processing();
    store().settleUnits(lease(running), 7);
    store().defineLimit(JobLimit.builder(TYPE).maxUnits(10, Duration.ofMinutes(1)).build());
    assertThat(status(TYPE).unitsInWindow()).isZero();
  }

  /** A paused type is not claimed; running jobs finish; resume lets claims go on. */
  @Test
  default void pauseStopsClaimsAndResumeRestartsThem() {
    Job running = processing();
    insertMany(2, job());
    store().setPaused(TYPE, true);
    assertThat(claim(10, TYPE)).isEmpty();
    assertThat(status(TYPE).paused()).isTrue();
    assertThat(status(TYPE).waiting()).isEqualTo(2);
    completeJob(running);
    assertThat(reload(running).status()).isEqualTo(JobStatus.COMPLETED);
    store().setPaused(TYPE, false);
    assertThat(claim(10, TYPE)).hasSize(2);
    assertThat(store().limits()).extracting(LimitStatus::name).doesNotContain(TYPE);
  }

  /** Pausing a resource holds every job that declares it, and no other. */
  @Test
  default void pausingAResourceHoldsOnlyItsJobs() {
    Job held = insert(job().priority(9).resources(RESOURCE));
    Job other = insert(job().priority(1));
    store().setPaused(RESOURCE, true);
    assertThat(claim(10, TYPE)).extracting(Job::id).containsExactly(other.id());
    assertThat(reload(held).status()).isEqualTo(JobStatus.PENDING);
  }

  /** A back-off holds claims until it ends; an earlier one does not shorten it; resume ends it. */
  @Test
  default void backOffHoldsClaimsUntilItEnds() {
    insertMany(2, job().resources(RESOURCE));
    Instant until = clock().instant().plusSeconds(2);
    store().backOff(RESOURCE, until);
    store().backOff(RESOURCE, clock().instant().plusMillis(500));
    assertThat(status(RESOURCE).backoffUntil()).isEqualTo(until);
    clock().advance(Duration.ofSeconds(1));
    assertThat(claim(10, TYPE)).isEmpty();
    clock().advance(Duration.ofSeconds(1).plusMillis(1));
    assertThat(claim(1, TYPE)).hasSize(1);
    assertThat(store().limits()).as("an ended back-off is not a state").extracting(LimitStatus::name).doesNotContain(RESOURCE);
    store().backOff(RESOURCE, clock().instant().plusSeconds(60));
    assertThat(claim(1, TYPE)).isEmpty();
    store().setPaused(RESOURCE, false);
    assertThat(claim(1, TYPE)).as("resume ends the back-off").hasSize(1);
  }

  /** A deferred failure does not count: attempts back, deferrals + 1, PENDING even on the last attempt. */
  @Test
  default void aDeferredFailureDoesNotSpendAnAttempt() {
    Job claimed = processing(job().maxAttempts(1));
    Instant retryAt = clock().instant().plusSeconds(2);
    Job after = store().fail(Failure.deferred(lease(claimed), "rate limited", retryAt));
    assertThat(after.status()).isEqualTo(JobStatus.PENDING);
    assertThat(after.attempts()).isZero();
    assertThat(after.deferrals()).isEqualTo(1);
    assertThat(after.runAt()).isEqualTo(retryAt);
    assertThat(reload(claimed)).isEqualTo(after);
    clock().advance(Duration.ofSeconds(2));
    Job again = claimOne(TYPE);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(again.deferrals()).isEqualTo(1);
  }

  /** A deferred failure of a job whose owner asked to cancel it cancels it. */
  @Test
  default void aDeferredFailureOfACancelledJobCancelsIt() {
    Job claimed = processing();
    store().cancel(claimed.ownerId(), claimed.id());
    Job after = store().fail(Failure.deferred(lease(claimed), "rate limited", clock().instant().plusSeconds(2)));
    assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
  }

  /** limits() lists every name with bounds, a pause or a back-off, in name order, with its use. */
  @Test
  default void limitsReportsEveryNameInOrder() {
    JobLimit bounds = JobLimit.builder(RESOURCE).maxRunning(4).maxStarts(10, Duration.ofMinutes(1))
        .maxUnits(100, Duration.ofMinutes(1)).build();
    store().defineLimit(bounds);
    store().setPaused(OTHER_TYPE, true);
    insertMany(3, job().units(7).resources(RESOURCE));
    assertThat(claim(2, TYPE)).hasSize(2);
    List<LimitStatus> all = store().limits();
    assertThat(all).extracting(LimitStatus::name).containsExactly(RESOURCE, OTHER_TYPE);
    LimitStatus r = status(RESOURCE);
    assertThat(r.limit()).isEqualTo(bounds);
    assertThat(r.running()).isEqualTo(2);
    assertThat(r.startsInWindow()).isEqualTo(2);
    assertThat(r.unitsInWindow()).isEqualTo(14);
    assertThat(r.waiting()).isEqualTo(1);
    assertThat(r.paused()).isFalse();
    assertThat(r.backoffUntil()).isNull();
    LimitStatus t = status(OTHER_TYPE);
    assertThat(t.limit()).isNull();
    assertThat(t.paused()).isTrue();
  }

  /** Defining a name again replaces its bounds; removing them keeps a pause. */
  @Test
  default void defineReplacesAndRemoveKeepsThePause() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(1).build());
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(3).build());
    insertMany(4, job());
    assertThat(claim(10, TYPE)).hasSize(3);
    store().setPaused(TYPE, true);
    assertThat(store().removeLimit(TYPE)).isTrue();
    assertThat(store().removeLimit(TYPE)).isFalse();
    assertThat(status(TYPE).limit()).isNull();
    assertThat(claim(10, TYPE)).as("still paused").isEmpty();
    store().setPaused(TYPE, false);
    assertThat(claim(10, TYPE)).hasSize(1);
    assertThat(store().removeLimit("never-defined")).isFalse();
  }

  /** Eight claimers at once never hold more than maxRunning jobs under the limit. */
  @Test
  @Timeout(120)
  default void concurrentClaimersNeverExceedMaxRunning() {
    raceUnderMaxRunningOf3((request, race) -> {
      int mine = 0;
      while (!race.over()) {
        List<Job> claimed = store().claim(request);
        race.claimed(claimed.size());
        for (Job j : claimed) {
          race.completing(1);
          completeJob(j);
          race.completed(1);
          mine++;
        }
      }
      return mine;
    });
  }

  /**
   * What {@link #raceUnderMaxRunningOf3} counts: jobs held, counted after the claim returns and
   * uncounted before the completion is written, so that the count is never above what the store
   * holds as running; the most held at once; and the jobs completed.
   */
  final class Race {
    private final int total;
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();

    Race(int total) {
      this.total = total;
    }

    /** {@return whether every job is completed} */
    public boolean over() {
      return done.get() >= total;
    }

    /**
     * A claim returned jobs.
     *
     * @param n how many
     */
    public void claimed(int n) {
      most.accumulateAndGet(held.addAndGet(n), Math::max);
    }

    /**
     * Completions are about to be written.
     *
     * @param n how many
     */
    public void completing(int n) {
      held.addAndGet(-n);
    }

    /**
     * Completions were written.
     *
     * @param n how many
     */
    public void completed(int n) {
      done.addAndGet(n);
    }
  }

  /**
   * Eight threads, each running {@code claimer} with a request for 2 jobs of its own worker, over 200
   * jobs under a maxRunning of 3: every job is completed once (the claimers return how many they
   * completed), and never more than 3 are held at once.
   *
   * @param claimer claims and completes until {@link Race#over()}, reporting to the race
   */
  default void raceUnderMaxRunningOf3(java.util.function.BiFunction<ClaimRequest, Race, Integer> claimer) {
    store().defineLimit(JobLimit.builder(RESOURCE).maxRunning(3).build());
    int total = 200;
    insertMany(total, job().resources(RESOURCE));
    Race race = new Race(total);
    List<Concurrently.Outcome<Integer>> outcomes = Concurrently.run(8, Duration.ofSeconds(90),
        t -> claimer.apply(new ClaimRequest("worker-" + t, Set.of(TYPE), 2, LEASE), race));
    outcomes.forEach(o -> assertThat(o.error()).as("a claiming thread failed").isNull());
    assertThat(outcomes.stream().mapToInt(o -> o.value()).sum()).isEqualTo(total);
    assertThat(race.most.get()).isBetween(1, 3);
  }

  /**
   * Completing and claiming in one call: the claim sees the completion, so the slot it frees under
   * a full limit goes to the next job at once.
   */
  @Test
  default void completeAllThenClaimHandsTheFreedSlotOn() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(1).build());
    Job busy = processing(job().priority(9));
    Job next = insert(job());
    assertThat(claim(5, TYPE)).as("the limit is full").isEmpty();
    CompletedAndClaimed result = store().completeAllThenClaim(
        List.of(new Completion(lease(busy), "{}", Duration.ofMillis(5))), new ClaimRequest(WORKER, Set.of(TYPE), 5, LEASE));
    assertThat(result.claimFailure()).isNull();
    assertThat(result.completed()).extracting(Job::id, Job::status).containsExactly(tuple(busy.id(), JobStatus.COMPLETED));
    assertThat(result.claimed()).extracting(Job::id, Job::status).containsExactly(tuple(next.id(), JobStatus.PROCESSING));
    assertThat(status(TYPE).running()).isEqualTo(1);
  }

  /** A completion whose lease was lost is skipped and frees nothing; the claim goes on regardless. */
  @Test
  default void completeAllThenClaimSkipsALostLease() {
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(1).build());
    Job busy = processing(job().priority(9));
    Job waiting = insert(job());
    Lease stale = new Lease(busy.id(), OTHER_WORKER, busy.attempts());
    CompletedAndClaimed result = store().completeAllThenClaim(
        List.of(new Completion(stale, "{}", Duration.ofMillis(5))), new ClaimRequest(WORKER, Set.of(TYPE), 5, LEASE));
    assertThat(result.completed()).isEmpty();
    assertThat(result.claimed()).as("the slot is still taken").isEmpty();
    assertThat(result.claimFailure()).isNull();
    assertThat(reload(busy).status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(reload(waiting).status()).isEqualTo(JobStatus.PENDING);
  }

  /**
   * Eight workers that hand each finished job's slot on with completeAllThenClaim never hold more
   * than maxRunning jobs under the limit, and every job completes once.
   */
  @Test
  @Timeout(120)
  default void handingSlotsOnNeverExceedsMaxRunning() {
    AtomicInteger handOns = new AtomicInteger();
    raceUnderMaxRunningOf3((request, race) -> {
      int mine = 0;
      List<Job> claimed = store().claim(request);
      while (!race.over()) {
        race.claimed(claimed.size());
        if (claimed.isEmpty()) {
          claimed = store().claim(request);
          continue;
        }
        List<Completion> completions = new ArrayList<>();
        claimed.forEach(j -> completions.add(new Completion(lease(j), "{}", Duration.ofMillis(1))));
        race.completing(completions.size());
        CompletedAndClaimed result = store().completeAllThenClaim(completions, request);
        assertThat(result.claimFailure()).isNull();
        assertThat(result.completed()).hasSameSizeAs(completions);
        race.completed(completions.size());
        mine += completions.size();
        claimed = result.claimed();
        if (!claimed.isEmpty()) {
          handOns.incrementAndGet();
        }
      }
      return mine;
    });
    assertThat(handOns.get()).as("calls whose claim took the next jobs").isPositive();
  }
}
