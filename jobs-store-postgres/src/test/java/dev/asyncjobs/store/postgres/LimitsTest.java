package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the PostgreSQL store does with limits, one claimer at a time: the rows V9 keeps (resources,
 * units, deferrals, the ledger), deferred failures, and the store's own edge cases. What every
 * store must do is the contract suite's; the races are {@link ConcurrentLimitsTest}'s.
 */
class LimitsTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private MutableClock clock;
  private PostgresJobStore store;

  @BeforeEach
  void openStore() {
    clock = new MutableClock();
    store = schema.emptyStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private List<Job> insert(int n, NewJobBuilder b) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(b.build());
    }
    return store.insert(InsertRequest.of(jobs));
  }

  private List<Job> claim(String type, int n) {
    return store.claim(new ClaimRequest("w1", Set.of(type), n, Duration.ofMinutes(5)));
  }

  private String value(String sql) {
    return schema.value(sql.replace("{s}", schema.name()));
  }

  @Test
  void aJobsResourcesAndUnitsAreStoredAsTheCreateDecidedThemWithoutItsType() {
    Job j = insert(1, NewJobBuilder.newJob(clock).type("img").resources("openai:b", "img", "openai:a").units(7)).get(0);
    assertThat(value("SELECT resources::text || ' ' || estimated_units || ' ' || deferrals FROM {s}.jobs WHERE id = '"
        + j.id() + "'")).isEqualTo("{openai:a,openai:b} 7 0");
    Job plain = insert(1, NewJobBuilder.newJob(clock).type("img")).get(0);
    assertThat(value("SELECT coalesce(resources::text, 'none') || ' ' || estimated_units FROM {s}.jobs WHERE id = '"
        + plain.id() + "'")).isEqualTo("none 1");
  }

  @Test
  void maxRunningCountsTheTypeAndResourcesAndWritesNoLedgerRow() {
    insert(5, NewJobBuilder.newJob(clock).type("img").resources("gpu"));
    insert(5, NewJobBuilder.newJob(clock).type("txt").resources("gpu"));
    store.defineLimit(JobLimit.builder("gpu").maxRunning(3).build());

    assertThat(claim("img", 2)).hasSize(2);
    List<Job> txt = store.claim(new ClaimRequest("w1", Set.of("txt", "img"), 10, Duration.ofMinutes(5)));
    assertThat(txt).hasSize(1);
    assertThat(claim("txt", 10)).isEmpty();
    assertThat(value("SELECT count(*) FROM {s}.jobs_limit_ledger")).as("no window bound, no ledger rows").isEqualTo("0");

    store.complete(new Completion(Lease.of(txt.get(0)), "{}", Duration.ofSeconds(1)));
    assertThat(claim("txt", 10)).hasSize(1);
    LimitStatus gpu = store.limits().get(0);
    assertThat(gpu.name()).isEqualTo("gpu");
    assertThat(gpu.running()).isEqualTo(3);
    assertThat(gpu.waiting()).isEqualTo(6);
  }

  @Test
  void startsAreCountedInASlidingWindowAndOldLedgerRowsGoWithALaterClaim() {
    insert(10, NewJobBuilder.newJob(clock).type("img"));
    store.defineLimit(JobLimit.builder("img").maxStarts(2, Duration.ofSeconds(10)).build());
    assertThat(claim("img", 5)).hasSize(2);
    clock.advance(Duration.ofSeconds(5));
    assertThat(claim("img", 5)).isEmpty();
    assertThat(store.limits().get(0).startsInWindow()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(6));
    assertThat(claim("img", 5)).hasSize(2);
    assertThat(value("SELECT string_agg(starts::text, ',' ORDER BY started_at) FROM {s}.jobs_limit_ledger"))
        .as("a row per claim, kept a minute past the window").isEqualTo("2,2");
    clock.advance(Duration.ofSeconds(71));
    assertThat(claim("img", 5)).hasSize(2);
    assertThat(value("SELECT count(*) FROM {s}.jobs_limit_ledger")).as("the first two went").isEqualTo("1");
  }

  @Test
  void unitsAreReservedAtTheClaimAndSettledByTheWorker() {
    List<Job> jobs = insert(4, NewJobBuilder.newJob(clock).type("img").resources("openai").units(40));
    store.defineLimit(JobLimit.builder("openai").maxUnits(100, Duration.ofMinutes(1)).build());
    List<Job> first = claim("img", 4);
    assertThat(first).hasSize(2);
    assertThat(store.limits().get(0).unitsInWindow()).isEqualTo(80);

    store.settleUnits(Lease.of(first.get(0)), 5);
    assertThat(store.limits().get(0).unitsInWindow()).isEqualTo(45);
    assertThat(claim("img", 4)).as("45 + 40 fits, 45 + 80 does not").hasSize(1);
    assertThat(jobs).hasSize(4);

    assertThatThrownBy(() -> store.settleUnits(Lease.of(first.get(1)), -1))
        .isInstanceOf(InvalidRequestException.class).hasFieldOrPropertyWithValue("field", "units");
    assertThat(store.limits().get(0).unitsInWindow()).isEqualTo(85);
  }

  @Test
  void aJobThatReservesNoUnitsFitsUnderAnExhaustedBudget() {
    insert(1, NewJobBuilder.newJob(clock).type("img").units(10));
    store.defineLimit(JobLimit.builder("img").maxUnits(10, Duration.ofMinutes(1)).build());
    assertThat(claim("img", 5)).hasSize(1);
    insert(1, NewJobBuilder.newJob(clock).type("img").units(1));
    Job free = insert(1, NewJobBuilder.newJob(clock).type("img").units(0)).get(0);
    assertThat(claim("img", 5)).extracting(Job::id).containsExactly(free.id());
  }

  @Test
  void pausesAndBackOffsHoldEveryJobUnderTheNameAndResumingEndsBoth() {
    Job img = insert(1, NewJobBuilder.newJob(clock).type("img").resources("openai")).get(0);
    Job txt = insert(1, NewJobBuilder.newJob(clock).type("txt")).get(0);
    store.backOff("openai", clock.instant().plusSeconds(30));
    store.backOff("openai", clock.instant().plusSeconds(10)); // never shortens
    store.setPaused("txt", true);
    ClaimRequest both = new ClaimRequest("w1", Set.of("img", "txt"), 10, Duration.ofMinutes(5));
    assertThat(store.claim(both)).isEmpty();
    assertThat(store.limits()).extracting(LimitStatus::name, LimitStatus::paused, LimitStatus::backoffUntil)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("openai", false, clock.instant().plusSeconds(30)),
            org.assertj.core.groups.Tuple.tuple("txt", true, null));

    clock.advance(Duration.ofSeconds(31));
    assertThat(store.claim(both)).extracting(Job::id).containsExactly(img.id());
    assertThat(store.limits()).extracting(LimitStatus::name).containsExactly("txt");
    store.setPaused("txt", false);
    assertThat(store.claim(both)).extracting(Job::id).containsExactly(txt.id());
    assertThat(store.limits()).isEmpty();
    assertThat(value("SELECT string_agg(name, ',') FROM {s}.jobs_limits")).as("only the ended back-off is left")
        .isEqualTo("openai");
    store.deleteFinishedBefore(clock.instant(), 100);
    assertThat(value("SELECT count(*) FROM {s}.jobs_limits")).as("retention deletes it").isEqualTo("0");
  }

  @Test
  void removingBoundsKeepsAPauseAndDeletesTheRowWhenNothingIsLeft() {
    store.defineLimit(JobLimit.builder("img").maxRunning(2).build());
    store.setPaused("img", true);
    assertThat(store.removeLimit("img")).isTrue();
    assertThat(store.removeLimit("img")).isFalse();
    assertThat(store.limits()).singleElement().satisfies(s -> {
      assertThat(s.limit()).isNull();
      assertThat(s.paused()).isTrue();
    });
    store.setPaused("img", false);
    store.defineLimit(JobLimit.builder("img").maxRunning(2).maxStarts(5, Duration.ofMillis(1500)).build());
    assertThat(store.limits().get(0).limit())
        .isEqualTo(JobLimit.builder("img").maxRunning(2).maxStarts(5, Duration.ofMillis(1500)).build());
    assertThat(store.removeLimit("img")).isTrue();
    assertThat(value("SELECT count(*) FROM {s}.jobs_limits")).isEqualTo("0");
    assertThat(store.removeLimit("never-defined")).isFalse();
  }

  @Test
  void aDeferredFailureTakesTheAttemptBackAndCountsADeferralWhateverAttemptsAreLeft() {
    Job job = insert(1, NewJobBuilder.newJob(clock).type("img").maxAttempts(1)).get(0);
    Job running = claim("img", 1).get(0);
    assertThat(running.attempts()).isEqualTo(1);
    Job deferred = store.fail(Failure.deferred(Lease.of(running), "rate limited", clock.instant().plusSeconds(20)));
    assertThat(deferred.status()).isEqualTo(JobStatus.PENDING);
    assertThat(deferred.attempts()).isZero();
    assertThat(deferred.deferrals()).isEqualTo(1);
    assertThat(deferred.runAt()).isEqualTo(clock.instant().plusSeconds(20));
    assertThat(deferred.errorMessage()).isEqualTo("rate limited");
    assertThat(store.find(job.id()).orElseThrow()).isEqualTo(deferred);

    clock.advance(Duration.ofSeconds(20));
    Job again = claim("img", 1).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(again.deferrals()).isEqualTo(1);
    // the worker decides when deferring ends: an ordinary failure now fails the job for good
    Job failed = store.fail(new Failure(Lease.of(again), "still refused", clock.instant()));
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.deferrals()).isEqualTo(1);
  }

  @Test
  void aDeferredFailureOfAJobWhoseCancelWasRequestedCancelsIt() {
    Job job = insert(1, NewJobBuilder.newJob(clock).type("img")).get(0);
    Job running = claim("img", 1).get(0);
    store.cancel(job.ownerId(), job.id());
    Job cancelled = store.fail(Failure.deferred(Lease.of(running), "rate limited", clock.instant().plusSeconds(20)));
    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(cancelled.deferrals()).isZero();
    assertThat(cancelled.finishedAt()).isEqualTo(clock.instant());
  }
}
