package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@code stats} and {@code recentDurations}: per-type counts, durations and success rates. */
@RequiresCapability(StoreCapability.STATISTICS)
public interface StatsContract extends StoreFixture {

  /**
   * {@return the entry of {@code type}, if the stats have one}
   *
   * @param stats the statistics
   * @param type the job type
   */
  static Optional<JobStats> statsOf(List<JobStats> stats, String type) {
    return stats.stream().filter(s -> s.type().equals(type)).findFirst();
  }

  /**
   * Completes a new job of {@code type} and {@code owner} that ran for {@code took}.
   *
   * @param owner the owner
   * @param type the job type
   * @param took how long the job ran
   * @return the job, COMPLETED
   */
  default Job completed(String owner, String type, Duration took) {
    Job claimed = processing(job().owner(owner).type(type));
    return store().complete(new Completion(lease(claimed), "{}", took));
  }

  /**
   * Fails a new job of {@code type} for good.
   *
   * @param owner the owner
   * @param type the job type
   * @return the job, FAILED
   */
  default Job failed(String owner, String type) {
    Job claimed = processing(job().owner(owner).type(type));
    return store().fail(Failure.permanent(lease(claimed), "broken"));
  }

  /**
   * Cancels a new pending job of {@code type}.
   *
   * @param owner the owner
   * @param type the job type
   * @return the job, CANCELLED
   */
  default Job cancelled(String owner, String type) {
    return store().cancel(owner, insert(job().owner(owner).type(type)).id());
  }

  /** The queue statistics count the pending, due and running jobs of each type, and nothing finished. */
  @Test
  default void queueStatsCountPendingDueAndRunningJobsOfEachTypeAndNothingFinished() {
    completed(OWNER, "q_a", Duration.ofSeconds(1));
    failed(OWNER, "q_a");
    cancelled(OWNER, "q_a");
    assertThat(store().queueStats()).as("only finished jobs").noneMatch(q -> q.type().equals("q_a"));

    Instant firstDue = clock().instant();
    insert(job().type("q_a").runAt(firstDue));
    clock().advance(Duration.ofSeconds(30));
    insert(job().type("q_a").owner(OTHER_OWNER));
    insert(job().type("q_a").runAt(clock().instant().plus(Duration.ofHours(1))));
    processing(job().type("q_b"));
    Instant now = clock().instant();

    List<QueueStats> queues = store().queueStats();
    QueueStats a = queues.stream().filter(q -> q.type().equals("q_a")).findFirst().orElseThrow();
    assertThat(a).isEqualTo(QueueStats.builder("q_a").pending(3).due(2).running(0).oldestDueAt(firstDue).build());
    assertThat(a.oldestDueAge(now)).isEqualTo(Duration.ofSeconds(30));
    QueueStats b = queues.stream().filter(q -> q.type().equals("q_b")).findFirst().orElseThrow();
    assertThat(b).isEqualTo(QueueStats.builder("q_b").running(1).build());
    assertThat(b.oldestDueAge(now)).isZero();
  }

  /** Statistics count the jobs of each type by status. */
  @Test
  default void statsCountTheJobsOfEachTypeByStatus() {
    processing(job().type("s_a"));
    completed(OWNER, "s_a", Duration.ofSeconds(4));
    failed(OWNER, "s_a");
    cancelled(OWNER, "s_a");
    insert(job().type("s_a"));
    insert(job().type("s_a"));
    insert(job().type("s_b").owner(OTHER_OWNER));

    List<JobStats> stats = store().stats(null, null);

    assertThat(stats).extracting(JobStats::type).containsExactlyInAnyOrder("s_a", "s_b");
    JobStats a = statsOf(stats, "s_a").orElseThrow();
    assertThat(List.of(a.pending(), a.processing(), a.completed(), a.failed(), a.cancelled()))
        .containsExactly(2L, 1L, 1L, 1L, 1L);
    assertThat(a.total()).isEqualTo(6);
    JobStats b = statsOf(stats, "s_b").orElseThrow();
    assertThat(List.of(b.pending(), b.processing(), b.completed(), b.failed(), b.cancelled()))
        .containsExactly(1L, 0L, 0L, 0L, 0L);
    assertThat(b.averageDuration()).as("no completed job, no duration").isNull();
    assertThat(b.p50Duration()).isNull();
    assertThat(b.successRate()).isNull();
    assertThat(statsOf(stats, "s_never")).isEmpty();
  }

  /** Statistics report the mean and percentiles of completed durations. */
  @Test
  default void statsReportTheMeanAndPercentilesOfCompletedDurations() {
    List<Integer> seconds = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      seconds.add(i);
    }
    Collections.shuffle(seconds, new Random(42));
    for (int s : seconds) {
      completed(OWNER, "s_dur", Duration.ofSeconds(s));
    }
    failed(OWNER, "s_dur");

    JobStats d = statsOf(store().stats(null, null), "s_dur").orElseThrow();

    assertThat(d.completed()).isEqualTo(100);
    assertThat(d.averageDuration()).isEqualTo(Duration.ofMillis(50_500));
    // Nearest-rank and interpolated percentiles both fall within these bounds.
    assertBetween(d.p50Duration(), 50, 51);
    assertBetween(d.p95Duration(), 95, 96);
    assertBetween(d.p99Duration(), 99, 100);
  }

  /** Asserts that {@code d} lies in {@code [fromSeconds, toSeconds]}. */
  private static void assertBetween(@Nullable Duration d, long fromSeconds, long toSeconds) {
    assertThat(d).isNotNull();
    assertThat(d).isBetween(Duration.ofSeconds(fromSeconds), Duration.ofSeconds(toSeconds));
  }

  /** A single duration is every percentile. */
  @Test
  default void aSingleDurationIsEveryPercentile() {
    completed(OWNER, "s_one", Duration.ofMillis(7_250));
    JobStats one = statsOf(store().stats(OWNER, null), "s_one").orElseThrow();
    assertThat(List.of(one.averageDuration(), one.p50Duration(), one.p95Duration(), one.p99Duration()))
        .containsOnly(Duration.ofMillis(7_250));
  }

  /** The success rate is completed over completed and failed. */
  @Test
  default void theSuccessRateIsCompletedOverCompletedAndFailed() {
    for (int i = 0; i < 3; i++) {
      completed(OWNER, "s_rate", Duration.ofSeconds(1));
    }
    failed(OWNER, "s_rate");
    cancelled(OWNER, "s_rate");
    cancelled(OWNER, "s_rate");

    JobStats rate = statsOf(store().stats(null, null), "s_rate").orElseThrow();

    assertThat(rate.successRate()).isEqualTo(0.75);
    assertThat(rate.cancelled()).isEqualTo(2);
  }

  /** Statistics for an owner count only that owner's jobs. */
  @Test
  default void statsForAnOwnerCountOnlyThatOwnersJobs() {
    completed(OWNER, "s_own", Duration.ofSeconds(2));
    completed(OTHER_OWNER, "s_own", Duration.ofSeconds(60));
    failed(OTHER_OWNER, "s_own");
    insert(job().type("s_own"));
    insert(job().owner(OTHER_OWNER).type("s_theirs"));

    List<JobStats> mine = store().stats(OWNER, null);

    assertThat(mine).extracting(JobStats::type).containsExactly("s_own");
    JobStats own = mine.get(0);
    assertThat(own.total()).isEqualTo(2);
    assertThat(own.completed()).isEqualTo(1);
    assertThat(own.failed()).isZero();
    assertThat(own.averageDuration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(statsOf(store().stats(null, null), "s_own").orElseThrow().total()).isEqualTo(4);
    assertThat(store().stats("nobody", null)).isEmpty();
  }

  /** Statistics since an instant count only the jobs created at or after it. */
  @Test
  default void statsSinceCountOnlyJobsCreatedAtOrAfterIt() {
    completed(OWNER, "s_since", Duration.ofSeconds(100));
    Instant since = clock().advance(Duration.ofHours(1));
    completed(OWNER, "s_since", Duration.ofSeconds(10));
    insert(job().type("s_since"));
    clock().advance(Duration.ofMinutes(1));
    insert(job().type("s_since"));

    JobStats recent = statsOf(store().stats(null, since), "s_since").orElseThrow();

    assertThat(recent.total()).isEqualTo(3);
    assertThat(recent.completed()).isEqualTo(1);
    assertThat(recent.averageDuration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(statsOf(store().stats(null, null), "s_since").orElseThrow().total()).isEqualTo(4);
    assertThat(store().stats(null, clock().instant().plusSeconds(1))).isEmpty();
  }

  /** Recent durations are those of the latest completed jobs of a type, newest first. */
  @Test
  default void recentDurationsAreTheLatestCompletedOfATypeNewestFirst() {
    for (int i = 1; i <= 5; i++) {
      clock().advance(Duration.ofSeconds(10));
      completed(OWNER, "s_recent", Duration.ofSeconds(i));
      completed(OTHER_OWNER, "s_other", Duration.ofMinutes(i));
    }
    Job cancelledLate = processing(job().type("s_recent"));
    store().cancel(OWNER, cancelledLate.id());
    store().complete(new Completion(lease(cancelledLate), "{}", Duration.ofHours(1)));
    failed(OWNER, "s_recent");

    assertThat(store().recentDurations("s_recent", 3))
        .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(3));
    assertThat(store().recentDurations("s_recent", 10)).hasSize(5).first().isEqualTo(Duration.ofSeconds(5));
    assertThat(store().recentDurations("s_other", 1)).containsExactly(Duration.ofMinutes(5));
    assertThat(store().recentDurations("s_none", 5)).isEmpty();
  }

  /** Recent durations follow completion time, not creation time. */
  @Test
  default void recentDurationsFollowCompletionTimeNotCreationTime() {
    Job x = processing(job().type("s_order"));
    clock().advance(Duration.ofSeconds(1));
    Job y = processing(job().type("s_order"));
    clock().advance(Duration.ofSeconds(1));
    store().complete(new Completion(lease(y), "{}", Duration.ofSeconds(2)));
    clock().advance(Duration.ofSeconds(1));
    store().complete(new Completion(lease(x), "{}", Duration.ofSeconds(1)));

    assertThat(store().recentDurations("s_order", 5)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }
}
