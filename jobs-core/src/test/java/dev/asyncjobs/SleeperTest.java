package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SleeperTest {
  @Test
  void zeroAndNegativeReturnAtOnce() throws InterruptedException {
    long start = System.nanoTime();
    Sleeper.system().sleep(Duration.ZERO);
    Sleeper.system().sleep(Duration.ofDays(-1));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void sleepsAtLeastTheDuration() throws InterruptedException {
    long start = System.nanoTime();
    Sleeper.system().sleep(Duration.ofMillis(20));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(20));
  }

  @Test
  void interruptEndsTheSleep() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> Sleeper.system().sleep(Duration.ofDays(365_000))).isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();
  }
}
