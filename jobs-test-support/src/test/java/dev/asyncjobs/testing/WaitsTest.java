package dev.asyncjobs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitsTest {
  @Test
  void untilReturnsOnceTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();
    Waits.until("the third check", Duration.ofSeconds(5), () -> checks.incrementAndGet() == 3);
    assertThat(checks).hasValue(3);
  }

  @Test
  void untilFailsAfterTheTimeoutWithWhatAndTheStateLastSeen() {
    assertThatThrownBy(() -> Waits.until("never", Duration.ofMillis(50), () -> false, () -> "state 7"))
        .isInstanceOf(AssertionError.class).hasMessage("timed out after PT0.05S waiting for never; last seen: state 7");
  }

  @Test
  void untilValueReturnsTheFirstMatchingValue() {
    AtomicInteger n = new AtomicInteger();
    assertThat(Waits.untilValue("four", Duration.ofSeconds(5), n::incrementAndGet, v -> v >= 4)).isEqualTo(4);
    assertThatThrownBy(() -> Waits.untilValue("a negative", Duration.ofMillis(30), n::get, v -> v < 0))
        .isInstanceOf(AssertionError.class).hasMessageContaining("last seen: 4");
  }

  @Test
  void untilSucceedsRetriesOnlyTheExceptionsItIsTold() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    String value = Waits.untilSucceeds("the third call", Duration.ofSeconds(5), IOException.class, () -> {
      if (calls.incrementAndGet() < 3) {
        throw new IOException("not yet");
      }
      return "done";
    });
    assertThat(value).isEqualTo("done");

    assertThatThrownBy(() -> Waits.untilSucceeds("anything", Duration.ofSeconds(5), IOException.class, () -> {
      throw new IllegalStateException("a bug");
    })).isInstanceOf(IllegalStateException.class).hasMessage("a bug");
    assertThatThrownBy(() -> Waits.untilSucceeds("the database", Duration.ofMillis(30), IOException.class, () -> {
      throw new IOException("down");
    })).isInstanceOf(AssertionError.class).hasMessageContaining("last error: java.io.IOException: down")
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void aDeadlineCountsDown() {
    Deadline d = Deadline.after(Duration.ofHours(1));
    assertThat(d.hasPassed()).isFalse();
    assertThat(d.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
    assertThat(Deadline.after(Duration.ZERO).hasPassed()).isTrue();
    assertThat(Deadline.after(Duration.ofSeconds(-1)).remainingNanos()).isZero();
  }
}
