package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.QuotaExceededException.Limit;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quotas checked inside the atomic insert: hour, day and minimum-interval limits, windows, overrides. */
@RequiresCapability(StoreCapability.QUOTAS)
public interface QuotaContract extends StoreFixture {

  /**
   * {@return a policy giving every owner {@code limits}}
   *
   * @param limits the limits of every owner
   */
  static QuotaPolicy everyone(QuotaLimits limits) {
    return owner -> limits;
  }

  /**
   * Creates one job of {@code owner} under {@code policy}.
   *
   * @param owner the owner
   * @param policy the quota policy
   * @return the stored job
   */
  default Job create(String owner, QuotaPolicy policy) {
    return store().insert(new InsertRequest(List.of(job().owner(owner).build()), policy)).get(0);
  }

  /**
   * {@return {@code count} new jobs of {@code owner}}
   *
   * @param owner the owner
   * @param count how many jobs
   */
  default List<NewJob> newJobs(String owner, int count) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(job().owner(owner).build());
    }
    return jobs;
  }

  /**
   * Tries to create one job that the quota must refuse; checks that nothing was stored.
   *
   * @param owner the owner
   * @param policy the quota policy
   * @return the refusal
   */
  default QuotaExceededException refused(String owner, QuotaPolicy policy) {
    return refusedBatch(newJobs(owner, 1), policy);
  }

  /**
   * Tries to insert a batch the quota must refuse; checks that nothing was stored or counted.
   *
   * @param batch the jobs to insert at once
   * @param policy the quota policy
   * @return the refusal
   */
  default QuotaExceededException refusedBatch(List<NewJob> batch, QuotaPolicy policy) {
    String owner = batch.get(0).ownerId();
    QuotaWindow before = store().quotaWindow(owner);
    long jobsBefore = countJobs(owner);
    QuotaExceededException e =
        catchThrowableOfType(QuotaExceededException.class, () -> store().insert(new InsertRequest(batch, policy)));
    assertThat(e).as("QuotaExceededException for %s", owner).isNotNull();
    assertThat(e.ownerId()).isEqualTo(owner);
    for (NewJob n : batch) {
      assertThat(store().find(n.id())).as("refused job").isEmpty();
    }
    assertThat(countJobs(owner)).as("jobs of %s after a refused create", owner).isEqualTo(jobsBefore);
    assertThat(store().quotaWindow(owner)).as("quota window after a refused create").isEqualTo(before);
    return e;
  }

  /**
   * {@return how many jobs {@code owner} has (up to 500)}
   *
   * @param owner the owner
   */
  default long countJobs(String owner) {
    return store().query(JobQuery.forOwner(owner).limit(JobQuery.MAX_LIMIT).build()).items().size();
  }

  /** The hourly limit refuses the create over it, and says when to retry. */
  @Test
  default void theHourlyLimitRefusesTheCreateOverItAndSaysWhenToRetry() {
    QuotaPolicy policy = everyone(new QuotaLimits(3, 100, Duration.ZERO));
    Instant t0 = clock().instant();
    create(OWNER, policy);
    clock().advance(Duration.ofMinutes(10));
    create(OWNER, policy);
    clock().advance(Duration.ofMinutes(10));
    create(OWNER, policy);
    clock().advance(Duration.ofMinutes(10));

    QuotaExceededException e = refused(OWNER, policy);

    assertThat(e.limit()).isEqualTo(Limit.PER_HOUR);
    assertThat(e.limitValue()).isEqualTo(3);
    assertThat(e.retryAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
  }

  /** The hour window slides with the clock, and {@code retryAt} is honest. */
  @Test
  default void theHourWindowSlidesWithTheClockAndRetryAtIsHonest() {
    QuotaPolicy policy = everyone(new QuotaLimits(2, 100, Duration.ZERO));
    Instant t0 = clock().instant();
    create(OWNER, policy);
    clock().advance(Duration.ofMinutes(20));
    create(OWNER, policy);
    Instant retryAt = refused(OWNER, policy).retryAt();
    assertThat(retryAt).isEqualTo(t0.plus(Duration.ofHours(1)));

    clock().set(retryAt.minusMillis(1));
    assertThat(refused(OWNER, policy).limit()).isEqualTo(Limit.PER_HOUR);
    clock().set(retryAt);
    create(OWNER, policy);

    assertThat(refused(OWNER, policy).retryAt()).isEqualTo(t0.plus(Duration.ofMinutes(80)));
    assertThat(countJobs(OWNER)).isEqualTo(3);
  }

  /** The daily limit refuses over twenty-four sliding hours. */
  @Test
  default void theDailyLimitRefusesOverTwentyFourSlidingHours() {
    QuotaPolicy policy = everyone(new QuotaLimits(100, 4, Duration.ZERO));
    Instant t0 = clock().instant();
    for (int i = 0; i < 4; i++) {
      create(OWNER, policy);
      clock().advance(Duration.ofHours(2));
    }

    QuotaExceededException e = refused(OWNER, policy);
    assertThat(e.limit()).isEqualTo(Limit.PER_DAY);
    assertThat(e.limitValue()).isEqualTo(4);
    assertThat(e.retryAt()).isEqualTo(t0.plus(Duration.ofDays(1)));

    clock().set(t0.plus(Duration.ofDays(1)).minusMillis(1));
    assertThat(refused(OWNER, policy).limit()).isEqualTo(Limit.PER_DAY);
    clock().set(t0.plus(Duration.ofDays(1)));
    create(OWNER, policy);
    assertThat(refused(OWNER, policy).retryAt()).isEqualTo(t0.plus(Duration.ofHours(26)));
  }

  /** The minimum interval refuses a create too soon after the last one. */
  @Test
  default void theMinimumIntervalRefusesACreateTooSoonAfterTheLastOne() {
    QuotaPolicy policy = everyone(new QuotaLimits(100, 100, Duration.ofSeconds(60)));
    Instant t0 = clock().instant();
    create(OWNER, policy);
    clock().advance(Duration.ofMillis(59_999));

    QuotaExceededException e = refused(OWNER, policy);

    assertThat(e.limit()).isEqualTo(Limit.MIN_INTERVAL);
    assertThat(e.limitValue()).isEqualTo(60);
    assertThat(e.retryAt()).isEqualTo(t0.plusSeconds(60));
    clock().set(t0.plusSeconds(60));
    create(OWNER, policy);
  }

  /** A refused create does not count as the last create. */
  @Test
  default void aRefusedCreateDoesNotCountAsTheLastCreate() {
    QuotaPolicy policy = everyone(new QuotaLimits(100, 100, Duration.ofSeconds(60)));
    Instant t0 = clock().instant();
    create(OWNER, policy);
    clock().advance(Duration.ofSeconds(30));
    refused(OWNER, policy);
    clock().set(t0.plusSeconds(60));

    create(OWNER, policy);
    assertThat(store().quotaWindow(OWNER).lastCreatedAt()).isEqualTo(t0.plusSeconds(60));
    assertThat(store().quotaWindow(OWNER).lastHour()).isEqualTo(2);
  }

  /** A batch is one create call for the interval, and counts each job for the limits. */
  @Test
  default void aBatchIsOneCreateCallForTheIntervalAndCountsEachJobForTheLimits() {
    QuotaPolicy policy = everyone(new QuotaLimits(5, 100, Duration.ofSeconds(60)));
    Instant t0 = clock().instant();
    assertThat(store().insert(new InsertRequest(newJobs(OWNER, 3), policy))).hasSize(3);
    QuotaWindow w = store().quotaWindow(OWNER);
    assertThat(w.lastHour()).isEqualTo(3);
    assertThat(w.lastCreatedAt()).isEqualTo(t0);
    clock().advance(Duration.ofSeconds(60));

    QuotaExceededException e = refusedBatch(newJobs(OWNER, 3), policy);
    assertThat(e.limit()).isEqualTo(Limit.PER_HOUR);
    assertThat(e.retryAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
    assertThat(store().insert(new InsertRequest(newJobs(OWNER, 2), policy))).hasSize(2);
    assertThat(countJobs(OWNER)).isEqualTo(5);
  }

  /** A batch larger than a limit is refused without a retry time. */
  @Test
  default void aBatchLargerThanALimitIsRefusedWithoutARetryTime() {
    QuotaExceededException hour = refusedBatch(newJobs(OWNER, 4), everyone(new QuotaLimits(3, 100, Duration.ZERO)));
    assertThat(hour.limit()).isEqualTo(Limit.PER_HOUR);
    assertThat(hour.retryAt()).isNull();

    QuotaExceededException day = refusedBatch(newJobs(OWNER, 6), everyone(new QuotaLimits(10, 5, Duration.ZERO)));
    assertThat(day.limit()).isEqualTo(Limit.PER_DAY);
    assertThat(day.retryAt()).isNull();
    assertThat(store().quotaWindow(OWNER)).isEqualTo(QuotaWindow.EMPTY);
  }

  /** The quota window reports the owner's recent creates. */
  @Test
  default void theQuotaWindowReportsRecentCreatesOfTheOwner() {
    QuotaPolicy policy = everyone(new QuotaLimits(100, 1000, Duration.ZERO));
    assertThat(store().quotaWindow(OWNER)).isEqualTo(QuotaWindow.EMPTY);
    Instant t0 = clock().instant();
    store().insert(new InsertRequest(newJobs(OWNER, 2), policy));
    Instant t30 = clock().advance(Duration.ofMinutes(30));
    create(OWNER, policy);
    create(OTHER_OWNER, policy);

    assertThat(store().quotaWindow(OWNER)).isEqualTo(new QuotaWindow(3, 3, t0, t0, t30));
    clock().advance(Duration.ofMinutes(59));
    assertThat(store().quotaWindow(OWNER)).isEqualTo(new QuotaWindow(1, 3, t30, t0, t30));
    clock().set(t0.plus(Duration.ofHours(25)));
    QuotaWindow later = store().quotaWindow(OWNER);
    assertThat(later.lastHour()).isZero();
    assertThat(later.lastDay()).isZero();
    assertThat(later.oldestInHour()).isNull();
    assertThat(later.oldestInDay()).isNull();
    assertThat(store().quotaWindow(OTHER_OWNER).lastDay()).isZero();
  }

  /** Resetting the quota forgets the owner's creates but not their jobs. */
  @Test
  default void resetQuotaForgetsTheOwnersCreatesButNotTheirJobs() {
    QuotaPolicy policy = everyone(new QuotaLimits(2, 100, Duration.ofSeconds(60)));
    create(OWNER, policy);
    clock().advance(Duration.ofSeconds(60));
    create(OWNER, policy);
    create(OTHER_OWNER, policy);
    clock().advance(Duration.ofSeconds(60));
    assertThat(refused(OWNER, policy).limit()).isEqualTo(Limit.PER_HOUR);
    QuotaWindow othersBefore = store().quotaWindow(OTHER_OWNER);

    store().resetQuota(OWNER);

    assertThat(store().quotaWindow(OWNER)).isEqualTo(QuotaWindow.EMPTY);
    assertThat(store().quotaWindow(OTHER_OWNER)).isEqualTo(othersBefore);
    assertThat(countJobs(OWNER)).isEqualTo(2);
    create(OWNER, policy);
    assertThat(refused(OWNER, policy).limit()).as("the interval counts again from the new create").isEqualTo(Limit.MIN_INTERVAL);
    store().resetQuota("nobody-at-all");
    assertThat(store().quotaWindow("nobody-at-all")).isEqualTo(QuotaWindow.EMPTY);
  }

  /** Per-owner overrides apply to their owner only. */
  @Test
  default void perOwnerOverridesApplyToTheirOwnerOnly() {
    QuotaPolicy policy =
        QuotaPolicy.builder()
            .defaults(new QuotaLimits(2, 100, Duration.ZERO))
            .owner("premium", new QuotaLimits(5, 100, Duration.ZERO))
            .unlimited("service")
            .build();
    store().insert(new InsertRequest(newJobs(OWNER, 2), policy));
    assertThat(refused(OWNER, policy).limitValue()).isEqualTo(2);
    store().insert(new InsertRequest(newJobs("premium", 5), policy));
    assertThat(refused("premium", policy).limitValue()).isEqualTo(5);
    assertThat(store().insert(new InsertRequest(newJobs("service", 60), policy))).hasSize(60);
    for (int i = 0; i < 5; i++) {
      create("service", policy);
    }
    assertThat(countJobs("service")).isEqualTo(65);
  }

  /** The unlimited policy never refuses. */
  @Test
  default void theUnlimitedPolicyNeverRefuses() {
    QuotaPolicy policy = QuotaPolicy.unlimited();
    assertThat(store().insert(new InsertRequest(newJobs(OWNER, 150), policy))).hasSize(150);
    for (int i = 0; i < 20; i++) {
      create(OWNER, policy);
    }
    assertThat(countJobs(OWNER)).isEqualTo(170);
  }

  /** Each owner has a quota of its own. */
  @Test
  default void eachOwnerHasItsOwnQuota() {
    QuotaPolicy policy = QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1));
    create(OWNER, policy);
    assertThat(refused(OWNER, policy).limit()).isEqualTo(Limit.MIN_INTERVAL);
    create(OTHER_OWNER, policy);
    assertThat(store().quotaWindow(OTHER_OWNER).lastHour()).isEqualTo(1);
    assertThat(store().quotaWindow(OWNER).lastHour()).isEqualTo(1);
  }

  /** The mission's defaults allow ten creates an hour, one a minute. */
  @Test
  default void theMissionDefaultsAllowTenAnHourOneAMinute() {
    QuotaPolicy policy = QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1));
    Instant t0 = clock().instant();
    for (int i = 0; i < 10; i++) {
      create(OWNER, policy);
      clock().advance(Duration.ofMinutes(1));
    }
    QuotaExceededException e = refused(OWNER, policy);
    assertThat(e.limit()).isEqualTo(Limit.PER_HOUR);
    assertThat(e.limitValue()).isEqualTo(10);
    assertThat(e.retryAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
    assertThatThrownBy(() -> store().insert(new InsertRequest(List.of(job().owner(OWNER).build()), policy)))
        .isInstanceOf(QuotaExceededException.class);
  }
}
