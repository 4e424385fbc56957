package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The claim buffer's drain tasks: how many run, and that no attempt is left behind. */
class ClaimBufferTest {

  private static Attempt attempt(int n) {
    Instant now = Instant.now();
    Job job = Job.builder().id(new UUID(0, n)).ownerId("owner").type("noop").status(JobStatus.PROCESSING)
        .attempts(1).workerId("w1").createdAt(now).build();
    return new Attempt(job, Duration.ofMinutes(1), now.plusSeconds(60), Duration.ofSeconds(30), null);
  }

  private static List<Attempt> attempts(int from, int count) {
    List<Attempt> list = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      list.add(attempt(i));
    }
    return list;
  }

  @Test
  void startsNoMoreDrainTasksThanItsMaximumAndHandsOutAttemptsInClaimOrder() {
    ClaimBuffer buffer = new ClaimBuffer(3);
    assertThat(buffer.addAll(attempts(0, 5))).as("five attempts, at most three tasks").isEqualTo(3);
    assertThat(buffer.addAll(attempts(5, 2))).as("three tasks already drain").isZero();
    List<Attempt> taken = new ArrayList<>();
    Attempt a;
    while ((a = buffer.pollOrRetire(false)) != null) {
      taken.add(a);
    }
    assertThat(taken).extracting(x -> x.job().id().getLeastSignificantBits()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    // That null retired one task; the other two retire as they find the buffer empty.
    assertThat(buffer.pollOrRetire(false)).isNull();
    assertThat(buffer.pollOrRetire(false)).isNull();
    assertThat(buffer.addAll(attempts(7, 5))).as("every task retired: three may start again").isEqualTo(3);
  }

  @Test
  void aTaskThatCouldNotStartFreesItsSlot() {
    ClaimBuffer buffer = new ClaimBuffer(1);
    assertThat(buffer.addAll(attempts(0, 1))).isEqualTo(1);
    buffer.taskNotStarted();
    assertThat(buffer.addAll(attempts(1, 1))).isEqualTo(1);
  }

  @Test
  void stoppingRetiresTasksAndLeavesTheAttemptsToTakeAll() {
    ClaimBuffer buffer = new ClaimBuffer(2);
    assertThat(buffer.addAll(attempts(0, 3))).isEqualTo(2);
    assertThat(buffer.pollOrRetire(true)).isNull();
    assertThat(buffer.pollOrRetire(true)).isNull();
    assertThat(buffer.size()).isEqualTo(3);
    assertThat(buffer.takeAll()).hasSize(3);
    assertThat(buffer.size()).isZero();
    assertThat(buffer.addAll(attempts(3, 1))).as("both tasks retired").isEqualTo(1);
  }

  /**
   * Producers add attempts one to three at a time, as claims land, while drain tasks poll and
   * retire on a pool larger than the buffer's maximum. An attempt added just as the last task
   * retires must start a new task; a lost one leaves the count short and the test times out.
   */
  @Test
  void underConcurrentAddsAndRetiresEveryAttemptRunsOnceAndAtMostTheMaximumRunAtOnce() throws Exception {
    int maxTasks = 2;
    int producers = 2;
    int perProducer = 10_000;
    int total = producers * perProducer;
    ClaimBuffer buffer = new ClaimBuffer(maxTasks);
    AtomicIntegerArray runs = new AtomicIntegerArray(total);
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger started = new AtomicInteger();
    AtomicInteger retired = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(maxTasks + 6);
    Runnable drain = () -> {
      Attempt a;
      while ((a = buffer.pollOrRetire(false)) != null) {
        // Counted only between a successful poll and the next: a task in there is one the buffer
        // counts, so this never exceeds the buffer's own count of tasks.
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        runs.incrementAndGet((int) a.job().id().getLeastSignificantBits());
        ran.incrementAndGet();
        running.decrementAndGet();
      }
      retired.incrementAndGet();
    };
    List<Thread> threads = new ArrayList<>();
    try {
      for (int p = 0; p < producers; p++) {
        int first = p * perProducer;
        Thread producer = new Thread(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          int next = first;
          while (next < first + perProducer) {
            int n = Math.min(1 + random.nextInt(3), first + perProducer - next);
            int tasks = buffer.addAll(attempts(next, n));
            next += n;
            for (int i = 0; i < tasks; i++) {
              started.incrementAndGet();
              pool.execute(drain);
            }
            if (random.nextInt(4) == 0) {
              Thread.yield(); // let the buffer run dry now and then, so tasks retire as attempts arrive
            }
          }
        }, "test-producer-" + p);
        producer.start();
        threads.add(producer);
      }
      for (Thread t : threads) {
        t.join(Await.DEADLINE.toMillis());
      }
      Await.until("every attempt ran (" + ran.get() + " of " + total + ")", () -> ran.get() == total);
      Await.until("every drain task retired", () -> retired.get() == started.get());
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (int i = 0; i < total; i++) {
      assertThat(runs.get(i)).as("runs of attempt %d", i).isEqualTo(1);
    }
    assertThat(maxRunning.get()).isBetween(1, maxTasks);
    assertThat(buffer.size()).isZero();
    assertThat(buffer.addAll(attempts(0, maxTasks + 1))).as("no task is counted that does not exist").isEqualTo(maxTasks);
  }
}
