package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.ClusterTask;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Schedule;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Tasks registered with {@code JobWorker.Builder.task}: two workers on one store run each tick
 * once between them and hand the state on; a task that always fails stops no schedule.
 */
class ClusterTaskTest {

  /** A task of a name and an interval whose runs {@code work} does. */
  private record Task(String name, boolean claimFirst, java.util.function.UnaryOperator<@Nullable String> work)
      implements ClusterTask {
    @Override
    public Duration interval() {
      return Duration.ofMillis(20);
    }

    @Override
    public @Nullable String run(@Nullable String state, Instant now) {
      return work.apply(state);
    }
  }

  /** Counts its runs in its state and records the state each run saw. */
  private static ClusterTask counting(List<@Nullable String> seen) {
    return new Task("asyncjobs.test.counting", true, state -> {
      seen.add(state);
      return Integer.toString(state == null ? 1 : Integer.parseInt(state) + 1);
    });
  }

  private static final ClusterTask BROKEN = new Task("asyncjobs.test.broken", false, state -> {
    throw new IllegalStateException("this task always fails");
  });

  @Test
  void twoWorkersRunEachTickOnceHandingTheStateOnAndAFailingTaskStopsNoSchedule() throws Exception {
    List<@Nullable String> seen = Collections.synchronizedList(new ArrayList<>());
    Schedule every = Schedule.every("ping", Duration.ofSeconds(1))
        .job(JobRequest.builder("ops", EchoGenerator.TYPE, new EchoGenerator.Echo("ping", 1)).build()).build();
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager a = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobManager b = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobWorker first = JobWorker.builder(a).workerId("a").schedule(every).task(counting(seen)).task(BROKEN)
            .schedulePollInterval(Duration.ofMillis(10)).build().start();
        JobWorker second = JobWorker.builder(b).workerId("b").task(counting(seen)).task(BROKEN)
            .schedulePollInterval(Duration.ofMillis(10)).build().start()) {
      Waits.until("30 runs of the task", Duration.ofSeconds(20), () -> seen.size() >= 30);
      Waits.until("the schedule's jobs beside the failing task", Duration.ofSeconds(20),
          () -> a.list(JobQuery.forOwner("ops").build()).items().size() >= 2);
    }
    List<@Nullable String> runs = new ArrayList<>(seen);
    List<@Nullable String> expected = new ArrayList<>();
    expected.add(null);
    for (int i = 1; i < runs.size(); i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(runs).as("each state seen once, in order: one run per tick, each after the last").isEqualTo(expected);
  }

  @Test
  void theStateMovesOnEvenWhenEveryRunOutlastsItsInterval() throws Exception {
    // Each run takes three intervals, so the next tick's run on the other worker overlaps it.
    List<@Nullable String> seen = Collections.synchronizedList(new ArrayList<>());
    ClusterTask slow = new Task("asyncjobs.test.slow", true, state -> {
      seen.add(state);
      try {
        Thread.sleep(60);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Integer.toString(state == null ? 1 : Integer.parseInt(state) + 1);
    });
    try (InMemoryJobStore store = new InMemoryJobStore();
        JobManager a = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobManager b = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobWorker first = JobWorker.builder(a).workerId("a").task(slow).schedulePollInterval(Duration.ofMillis(10)).build().start();
        JobWorker second = JobWorker.builder(b).workerId("b").task(slow).schedulePollInterval(Duration.ofMillis(10)).build().start()) {
      Waits.until("the state to reach 10", Duration.ofSeconds(20),
          () -> store.schedules().stream().anyMatch(r -> r.name().equals("asyncjobs.test.slow") && r.state() != null
              && Integer.parseInt(r.state()) >= 10), () -> new ArrayList<>(seen));
    }
  }
}
