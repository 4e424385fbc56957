package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pauses between writes of a kept result, and what stopping does to those still waiting. */
class OutcomeRetriesTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final OutcomeRetries retries = new OutcomeRetries(timer);
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutDown() {
    timer.shutdownNow();
  }

  @Test
  void thePauseStartsAt100MsAndDoublesUpTo2S() {
    assertThat(OutcomeRetries.delayNanos(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(OutcomeRetries.delayNanos(2)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(OutcomeRetries.delayNanos(5)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1600));
    assertThat(OutcomeRetries.delayNanos(6)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
    assertThat(OutcomeRetries.delayNanos(1000)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
  }

  @Test
  void stoppingGivesUpEveryWaitingRetryAtOnceAndRefusesNewOnes() throws Exception {
    assertThat(retries.schedule(10, () -> ran.add("again a"), () -> ran.add("gave up a"))).isTrue();
    assertThat(retries.schedule(10, () -> ran.add("again b"), () -> ran.add("gave up b"))).isTrue();
    retries.stop();
    assertThat(ran).containsExactlyInAnyOrder("gave up a", "gave up b");
    assertThat(retries.schedule(1, () -> ran.add("again c"), () -> ran.add("gave up c"))).isFalse();
    retries.stop();
    // nothing left to run: the timer's queue is empty once the cancelled tasks fire or are dropped
    timer.shutdown();
    assertThat(timer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactlyInAnyOrder("gave up a", "gave up b");
  }

  @Test
  void aRetryRunsAgainWhenDue() throws Exception {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    assertThat(retries.schedule(1, () -> {
      ran.add("again");
      done.countDown();
    }, () -> ran.add("gave up"))).isTrue();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("again");
  }
}
