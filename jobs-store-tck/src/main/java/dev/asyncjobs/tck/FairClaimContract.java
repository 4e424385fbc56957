package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Claims that take owners in turn ({@link ClaimRequest#fairBetweenOwners()}): a job's turn is its
 * owner's running jobs of the claimed types plus its rank among the owner's due jobs of its
 * priority, and priority still comes first.
 */
@RequiresCapability(StoreCapability.FAIR_CLAIMS)
public interface FairClaimContract extends StoreFixture {

  /**
   * Claims fairly for {@link #WORKER}.
   *
   * @param limit at most this many
   * @param types the types
   * @return the claimed jobs
   */
  default List<Job> claimFair(int limit, String... types) {
    return store().claim(new ClaimRequest(WORKER, Set.of(types), limit, LEASE, true));
  }

  /**
   * Inserts {@code n} due jobs of {@code owner}, the first {@code ageSeconds} old and each next one
   * a second younger.
   *
   * @param owner the owner
   * @param n how many
   * @param ageSeconds how long ago the first one became due
   * @return the jobs, oldest first
   */
  default List<Job> backlog(String owner, int n, int ageSeconds) {
    Instant now = clock().instant();
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(insert(job().owner(owner).runAt(now.minusSeconds(ageSeconds - i))));
    }
    return jobs;
  }

  /** {@return the ids of {@code jobs}} */
  private static List<UUID> ids(List<Job> jobs) {
    return jobs.stream().map(Job::id).collect(Collectors.toList());
  }

  /** Claims of one alternate between owners, because an owner's running jobs count as turns taken. */
  @Test
  default void claimsOfOneAlternateBetweenOwners() {
    List<Job> a = backlog(OWNER, 8, 1000);
    List<Job> b = backlog(OTHER_OWNER, 3, 10);

    List<UUID> order = new ArrayList<>();
    for (List<Job> c = claimFair(1, TYPE); !c.isEmpty(); c = claimFair(1, TYPE)) {
      order.add(c.get(0).id());
    }

    List<UUID> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expected.add(a.get(i).id()); // the tie of turns goes to the older job: A's
      expected.add(b.get(i).id());
    }
    expected.addAll(ids(a.subList(3, 8)));
    assertThat(order).containsExactlyElementsOf(expected);
  }

  /** One claim takes the first turns of every owner before anyone's later ones. */
  @Test
  default void oneClaimTakesEveryOwnersFirstTurnsBeforeLaterOnes() {
    List<Job> a = backlog(OWNER, 40, 1000);
    List<Job> b = backlog(OTHER_OWNER, 5, 10);
    List<Job> c = backlog("owner-c", 2, 5);

    List<Job> claimed = claimFair(9, TYPE);

    // turns 1 and 2 of all three (6 jobs), then turn 3 of A and B, then turn 4 of A (older than B's)
    Set<UUID> expected = new HashSet<>(ids(a.subList(0, 4)));
    expected.addAll(ids(b.subList(0, 3)));
    expected.addAll(ids(c));
    assertThat(ids(claimed)).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** A plain claim on the same jobs still takes the oldest first, whoever owns them. */
  @Test
  default void aPlainClaimStillTakesTheOldestFirst() {
    List<Job> a = backlog(OWNER, 6, 1000);
    backlog(OTHER_OWNER, 3, 10);

    assertThat(ids(claim(4, TYPE))).containsExactlyInAnyOrderElementsOf(ids(a.subList(0, 4)));
  }

  /** Priority comes before turns: a busy owner's higher priority job goes first. */
  @Test
  default void priorityComesBeforeTurns() {
    Instant now = clock().instant();
    List<Job> a = backlog(OWNER, 3, 1000);
    Job urgent = insert(job().owner(OWNER).priority(9).runAt(now));
    Job bLow = insert(job().owner(OTHER_OWNER).priority(1).runAt(now.minusSeconds(5000)));

    assertThat(ids(claimFair(1, TYPE))).containsExactly(urgent.id());
    // Within the default priority: A has one job running now, so its first of that priority is turn 2 and
    // nobody else has one; B's older job is a lower priority and waits for all of them.
    assertThat(ids(claimFair(3, TYPE))).containsExactlyInAnyOrderElementsOf(ids(a));
    assertThat(ids(claimFair(3, TYPE))).containsExactly(bLow.id());
  }

  /** Only the claimed types count: jobs of other types neither rank nor count as running. */
  @Test
  default void onlyTheClaimedTypesCount() {
    Instant now = clock().instant();
    for (int i = 0; i < 4; i++) {
      insert(job().owner(OWNER).type(OTHER_TYPE).runAt(now.minusSeconds(5000 - i)));
    }
    claim(3, OTHER_TYPE); // A runs three jobs of the other type
    Job aFirst = insert(job().owner(OWNER).runAt(now.minusSeconds(1000)));
    Job aSecond = insert(job().owner(OWNER).runAt(now.minusSeconds(999)));
    Job bFirst = insert(job().owner(OTHER_OWNER).runAt(now.minusSeconds(10)));

    // A's job of TYPE is turn 1, not 4, and A's waiting job of the other type does not push it back
    assertThat(ids(claimFair(1, TYPE))).containsExactly(aFirst.id());
    assertThat(ids(claimFair(1, TYPE))).containsExactly(bFirst.id());
    assertThat(ids(claimFair(1, TYPE))).containsExactly(aSecond.id());
  }

  /** A finished job no longer counts as a turn its owner has taken. */
  @Test
  default void finishedJobsNoLongerCount() {
    List<Job> a = backlog(OWNER, 4, 1000);
    List<Job> b = backlog(OTHER_OWNER, 2, 10);
    Job first = claimFair(1, TYPE).get(0);
    assertThat(first.id()).isEqualTo(a.get(0).id());
    store().complete(new Completion(lease(first), "{}", Duration.ofMillis(3)));

    // A runs nothing again: its next job is turn 1 and older than B's
    assertThat(ids(claimFair(1, TYPE))).containsExactly(a.get(1).id());
    assertThat(ids(claimFair(1, TYPE))).containsExactly(b.get(0).id());
  }

  /** Jobs not due yet are not claimed, fairly or not. */
  @Test
  default void jobsNotDueAreNotClaimed() {
    Instant now = clock().instant();
    insert(job().owner(OTHER_OWNER).runAt(now.plusSeconds(60)));
    Job due = insert(job().owner(OWNER).runAt(now));

    assertThat(ids(claimFair(5, TYPE))).containsExactly(due.id());
    assertThat(claimFair(5, TYPE)).isEmpty();
  }

  /** An owner's job that is not due yet, first in its claim order, does not hide its due ones. */
  @Test
  default void aJobNotDueDoesNotHideItsOwnersDueOnes() {
    Instant now = clock().instant();
    insert(job().owner(OTHER_OWNER).priority(9).runAt(now.plusSeconds(60)));
    Job due = insert(job().owner(OTHER_OWNER).runAt(now.minusSeconds(5)));
    List<Job> a = backlog(OWNER, 3, 1000);
    claimFair(1, TYPE); // A's first: A now runs one

    assertThat(ids(claimFair(1, TYPE))).containsExactly(due.id());
    assertThat(ids(claimFair(2, TYPE))).containsExactlyInAnyOrderElementsOf(ids(a.subList(1, 3)));
  }

  /** A fair claim takes only what the limits let start. */
  @Test
  default void fairClaimsHonourLimits() {
    Assumptions.assumeTrue(declares(StoreCapability.LIMITS), "the store does not keep limits");
    List<Job> a = backlog(OWNER, 5, 1000);
    List<Job> b = backlog(OTHER_OWNER, 5, 10);
    store().defineLimit(JobLimit.builder(TYPE).maxRunning(2).build());

    assertThat(ids(claimFair(10, TYPE))).containsExactlyInAnyOrder(a.get(0).id(), b.get(0).id());
    assertThat(claimFair(10, TYPE)).isEmpty();
  }

  /**
   * A job too large for a units limit is passed over but keeps its place: its owner's next job is
   * that owner's second turn, behind every other owner's first.
   */
  @Test
  default void aJobPassedOverByALimitKeepsItsPlaceInTheTurns() {
    Assumptions.assumeTrue(declares(StoreCapability.LIMITS), "the store does not keep limits");
    Instant now = clock().instant();
    store().defineLimit(JobLimit.builder(TYPE).maxUnits(100, Duration.ofHours(1)).build());
    Job a1 = insert(job().owner(OWNER).units(1).runAt(now.minusSeconds(50)));
    insert(job().owner(OTHER_OWNER).units(200).runAt(now.minusSeconds(40)));
    insert(job().owner(OWNER).units(1).runAt(now.minusSeconds(30)));
    Job c1 = insert(job().owner("owner-c").units(1).runAt(now.minusSeconds(20)));
    insert(job().owner(OTHER_OWNER).units(1).runAt(now.minusSeconds(10)));

    assertThat(ids(claimFair(2, TYPE))).containsExactlyInAnyOrder(a1.id(), c1.id());
  }

  /** Concurrent fair claims never hand out a job twice, and together take every job. */
  @Test
  default void concurrentFairClaimsNeverTakeAJobTwice() {
    Set<UUID> all = new HashSet<>();
    for (int o = 0; o < 6; o++) {
      all.addAll(ids(backlog("owner-" + o, 30, 1000 - o)));
    }
    List<Concurrently.Outcome<List<UUID>>> outcomes =
        Concurrently.run(4, AWAIT, t -> {
          List<UUID> mine = new ArrayList<>();
          for (List<Job> c = claimFair(5, TYPE); !c.isEmpty(); c = claimFair(5, TYPE)) {
            mine.addAll(ids(c));
          }
          return mine;
        });
    List<UUID> taken = new ArrayList<>();
    for (Concurrently.Outcome<List<UUID>> o : outcomes) {
      assertThat(o.error()).isNull();
      taken.addAll(o.value());
    }
    assertThat(taken).doesNotHaveDuplicates();
    assertThat(new HashSet<>(taken)).isEqualTo(all);
  }
}
