package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class ClaimPlannerTest {
  private static WorkerConfig config(int concurrency, int batch, Map<String, Integer> caps, Map<String, Duration> pacing) {
    return new WorkerConfig(
        "w", Set.of("a", "b", "capped", "paced"), concurrency, caps, batch, Duration.ofSeconds(30),
        Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofMinutes(10), Map.of(),
        Duration.ofSeconds(5), null, RetryPolicy.DEFAULT, Map.of(), pacing, Duration.ofMillis(250),
        Duration.ofMillis(100), 1 << 20, 20, false, false, Sleeper.system(), ThreadLocalRandom.current(), List.of(), List.of());
  }

  @Test
  void sharedTypesMayBeClaimedAheadButOnlyInClaimsOfAtLeastHalfABatch() {
    ClaimPlanner p = new ClaimPlanner(config(16, 16, Map.of("capped", 2), Map.of()));
    Set<String> shared = Set.of("a", "b", "paced");
    // 16 busy, all running: 16 more may come ahead of time, in one claim.
    assertThat(p.plan(16, Map.of(), 0, 16, 0).groups()).containsExactly(new ClaimPlanner.Group(shared, 16));
    // 27 busy of which 11 wait in the buffer: room for 5 only, less than half a batch: wait.
    assertThat(p.plan(27, Map.of(), 0, 16, 11).groups()).isEmpty();
    // ... unless nothing is buffered: then even a small claim keeps the threads fed.
    assertThat(p.plan(27, Map.of(), 0, 16, 0).groups()).containsExactly(new ClaimPlanner.Group(shared, 5));
    // A type with its own limit is never claimed ahead: no free slot, no claim of it.
    assertThat(p.plan(16, Map.of(), 0, 16, 0).groups()).extracting(ClaimPlanner.Group::types).doesNotContain(Set.of("capped"));
    assertThat(p.isShared(new ClaimPlanner.Group(shared, 1))).isTrue();
    assertThat(p.isShared(new ClaimPlanner.Group(Set.of("capped"), 1))).isFalse();
  }

  @Test
  void unlimitedTypesShareOneClaimBoundByFreeCapacityAndBatch() {
    ClaimPlanner p = new ClaimPlanner(config(8, 5, Map.of(), Map.of()));
    ClaimPlanner.Plan plan = p.plan(0, Map.of(), 0);
    assertThat(plan.groups()).containsExactly(new ClaimPlanner.Group(Set.of("a", "b", "capped", "paced"), 5));
    assertThat(p.plan(6, Map.of(), 0).groups()).containsExactly(new ClaimPlanner.Group(Set.of("a", "b", "capped", "paced"), 2));
    assertThat(p.plan(8, Map.of(), 0).groups()).isEmpty();
  }

  @Test
  void cappedTypeIsClaimedAloneUpToItsFreeSlots() {
    ClaimPlanner p = new ClaimPlanner(config(8, 10, Map.of("capped", 2), Map.of()));
    List<ClaimPlanner.Group> groups = p.plan(1, Map.of("capped", 1), 0).groups();
    assertThat(groups).containsExactlyInAnyOrder(
        new ClaimPlanner.Group(Set.of("a", "b", "paced"), 7), new ClaimPlanner.Group(Set.of("capped"), 1));
    assertThat(p.plan(2, Map.of("capped", 2), 0).groups())
        .containsExactly(new ClaimPlanner.Group(Set.of("a", "b", "paced"), 6));
  }

  @Test
  void pacedTypeStartsOneAtATimeAndWaitsItsInterval() {
    long second = 1_000_000_000L;
    ClaimPlanner p = new ClaimPlanner(config(8, 10, Map.of(), Map.of("paced", Duration.ofSeconds(1))));
    assertThat(p.plan(0, Map.of(), 0).groups()).contains(new ClaimPlanner.Group(Set.of("paced"), 1));
    p.started("paced", 10 * second);
    ClaimPlanner.Plan blocked = p.plan(1, Map.of("paced", 1), 10 * second + second / 4);
    assertThat(blocked.groups()).containsExactly(new ClaimPlanner.Group(Set.of("a", "b", "capped"), 7));
    assertThat(blocked.pacingWaitNanos()).isEqualTo(3 * second / 4);
    assertThat(p.plan(1, Map.of("paced", 1), 11 * second).groups()).contains(new ClaimPlanner.Group(Set.of("paced"), 1));
  }

  @Test
  void groupOrderRotatesSoNoTypeStarves() {
    ClaimPlanner p = new ClaimPlanner(config(8, 10, Map.of("capped", 4), Map.of()));
    Set<String> first1 = p.plan(0, Map.of(), 0).groups().get(0).types();
    Set<String> first2 = p.plan(0, Map.of(), 0).groups().get(0).types();
    assertThat(first1).isNotEqualTo(first2);
  }
}
