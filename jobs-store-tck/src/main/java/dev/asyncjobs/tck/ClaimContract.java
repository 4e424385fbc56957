package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.JobIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code claim}: which due jobs a worker gets, in which order, and what a claim writes. */
public interface ClaimContract extends StoreFixture {

  /** The claim order: priority high to low, then runAt, then id. */
  Comparator<Job> CLAIM_ORDER =
      Comparator.comparing(Job::priority, Comparator.reverseOrder())
          .thenComparing(Job::runAt)
          .thenComparing(Job::id, JobIds.ORDER);

  /**
   * Claims one job of {@code type} at a time until none is left, and returns their ids in claim order.
   *
   * @param type the job type
   * @return the ids of the claimed jobs, in claim order
   */
  default List<UUID> drainOneByOne(String type) {
    List<UUID> order = new ArrayList<>();
    for (List<Job> c = claim(1, type); !c.isEmpty(); c = claim(1, type)) {
      assertThat(c).hasSize(1);
      order.add(c.get(0).id());
      assertThat(order.size()).as("claims; a job is claimed twice").isLessThanOrEqualTo(10_000);
    }
    return order;
  }

  /** A claimed job is PROCESSING under the worker's lease. */
  @Test
  default void aClaimedJobIsProcessingUnderTheWorkersLease() {
    Job pending = insert(job().estimatedDuration(Duration.ofSeconds(9)));
    Instant now = clock().advance(Duration.ofSeconds(2));
    Duration lease = Duration.ofSeconds(45);

    List<Job> claimed = store().claim(new ClaimRequest("worker-x", Set.of(TYPE), 5, lease));

    assertThat(claimed).hasSize(1);
    Job j = claimed.get(0);
    assertThat(j.id()).isEqualTo(pending.id());
    assertThat(j.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(j.attempts()).isEqualTo(1);
    assertThat(j.progress()).isZero();
    assertThat(j.startedAt()).isEqualTo(now);
    assertThat(j.updatedAt()).isEqualTo(now);
    assertThat(j.workerId()).isEqualTo("worker-x");
    assertThat(j.leaseUntil()).isEqualTo(now.plus(lease));
    assertThat(j.cancelRequested()).isFalse();
    assertThat(j.createdAt()).isEqualTo(pending.createdAt());
    assertSameJob(reload(j), j);
  }

  /** Claims go by priority, then {@code runAt}, then id. */
  @Test
  default void claimsGoByPriorityThenRunAtThenId() {
    Instant t0 = clock().instant();
    List<Job> jobs = new ArrayList<>();
    int[] priorities = {5, 9, 1, 9, 5, 10, 5, 1};
    for (int i = 0; i < priorities.length; i++) {
      // runAt in the past, in an order that differs from insertion order
      Instant runAt = t0.minusSeconds((i * 37L) % 11);
      jobs.add(insert(job().priority(priorities[i]).runAt(runAt)));
    }
    clock().advance(Duration.ofSeconds(1));
    jobs.sort(CLAIM_ORDER);

    assertThat(drainOneByOne(TYPE)).containsExactlyElementsOf(jobs.stream().map(Job::id).collect(Collectors.toList()));
  }

  /** A higher priority is claimed before an earlier {@code runAt}. */
  @Test
  default void higherPriorityIsClaimedBeforeAnEarlierRunAt() {
    Instant now = clock().instant();
    Job oldLow = insert(job().priority(2).runAt(now.minus(Duration.ofHours(5))));
    Job newHigh = insert(job().priority(7).runAt(now));

    assertThat(drainOneByOne(TYPE)).containsExactly(newHigh.id(), oldLow.id());
  }

  /** Among equal priorities the earliest {@code runAt} is claimed first. */
  @Test
  default void equalPriorityIsClaimedByEarliestRunAt() {
    Instant now = clock().instant();
    Job late = insert(job().runAt(now.minusSeconds(10)));
    Job early = insert(job().runAt(now.minusSeconds(600)));
    Job middle = insert(job().runAt(now.minusSeconds(60)));

    assertThat(drainOneByOne(TYPE)).containsExactly(early.id(), middle.id(), late.id());
  }

  /** Among equal priorities and {@code runAt} the smallest id is claimed first. */
  @Test
  default void equalPriorityAndRunAtAreClaimedBySmallestIdFirst() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jobs.add(pending()); // same clock instant: same runAt, ids differ in their random bits
    }
    List<UUID> expected = jobs.stream().map(Job::id).sorted(JobIds.ORDER).collect(Collectors.toList());
    assertThat(drainOneByOne(TYPE)).containsExactlyElementsOf(expected);
  }

  /** A job due in the future is claimed only once the clock reaches its {@code runAt}. */
  @Test
  default void aJobDueInTheFutureIsClaimedOnlyOnceTheClockReachesItsRunAt() {
    Instant runAt = clock().instant().plus(Duration.ofMinutes(10));
    Job later = insert(job().runAt(runAt));

    assertThat(claim(10, TYPE)).isEmpty();
    clock().advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(claim(10, TYPE)).isEmpty();
    assertThat(reload(later).status()).isEqualTo(JobStatus.PENDING);
    clock().advance(Duration.ofMillis(1));
    assertThat(claim(10, TYPE)).extracting(Job::id).containsExactly(later.id());
  }

  /** A future job does not block a due job of lower priority. */
  @Test
  default void aFutureJobDoesNotBlockADueJobOfLowerPriority() {
    Job future = insert(job().priority(10).runAt(clock().instant().plusSeconds(60)));
    Job due = insert(job().priority(1));

    assertThat(claim(5, TYPE)).extracting(Job::id).containsExactly(due.id());
    assertThat(reload(future).status()).isEqualTo(JobStatus.PENDING);
  }

  /** Only the requested types are claimed. */
  @Test
  default void onlyTheRequestedTypesAreClaimed() {
    Job a = insert(job().type("c_type_a"));
    Job b = insert(job().type("c_type_b"));
    Job c = insert(job().type("c_type_c"));

    List<Job> claimed = claim(10, "c_type_a", "c_type_c", "c_type_unknown");

    assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrder(a.id(), c.id());
    assertThat(reload(b).status()).isEqualTo(JobStatus.PENDING);
    assertThat(claim(10, "c_type_unknown")).isEmpty();
  }

  /** A batch claim takes at most the limit, and takes the first jobs in claim order. */
  @Test
  default void aBatchClaimTakesAtMostTheLimitAndTakesTheFirstInClaimOrder() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      jobs.add(insert(job().priority(1 + (i * 7) % 10)));
    }
    jobs.sort(CLAIM_ORDER);

    List<Job> first = claim(4, TYPE);
    assertThat(first).extracting(Job::id)
        .containsExactlyInAnyOrderElementsOf(jobs.subList(0, 4).stream().map(Job::id).collect(Collectors.toList()));
    List<Job> second = claim(4, TYPE);
    assertThat(second).extracting(Job::id)
        .containsExactlyInAnyOrderElementsOf(jobs.subList(4, 8).stream().map(Job::id).collect(Collectors.toList()));
    assertThat(claim(4, TYPE)).hasSize(2);
    assertThat(claim(4, TYPE)).isEmpty();
  }

  /** PROCESSING and finished jobs are never claimed. */
  @Test
  default void processingAndFinishedJobsAreNeverClaimed() {
    Job running = processing(job().type("c_busy"));
    Job done = processing(job().type("c_done"));
    store().complete(new Completion(lease(done), "{\"ok\":true}", Duration.ofSeconds(1)));
    Job failed = processing(job().type("c_failed"));
    store().fail(Failure.permanent(lease(failed), "broken"));
    Job cancelled = store().cancel(OWNER, insert(job().type("c_cancelled")).id());
    clock().advance(Duration.ofSeconds(5));

    assertThat(claim(10, "c_busy", "c_done", "c_failed", "c_cancelled")).isEmpty();
    assertThat(reload(running).status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(reload(cancelled).status()).isEqualTo(JobStatus.CANCELLED);
  }

  /** Claiming when nothing is due returns nothing and changes nothing. */
  @Test
  default void claimingWhenNothingIsDueReturnsNothingAndChangesNothing() {
    Job future = insert(job().runAt(clock().instant().plusSeconds(1)));
    assertThat(claim(3, TYPE)).isEmpty();
    assertThat(claim(3, OTHER_TYPE)).isEmpty();
    assertUnchanged(future);
  }

  /** The claim order holds across all the requested types. */
  @Test
  default void theClaimOrderHoldsAcrossAllRequestedTypes() {
    Instant now = clock().instant();
    Job low = insert(job().type("x_a").priority(3).runAt(now.minusSeconds(60)));
    Job high = insert(job().type("x_b").priority(8));
    Job highEarlier = insert(job().type("x_c").priority(8).runAt(now.minusSeconds(5)));

    assertThat(claim(1, "x_a", "x_b", "x_c")).extracting(Job::id).containsExactly(highEarlier.id());
    assertThat(claim(1, "x_a", "x_b", "x_c")).extracting(Job::id).containsExactly(high.id());
    assertThat(claim(1, "x_a", "x_b", "x_c")).extracting(Job::id).containsExactly(low.id());
  }
}
