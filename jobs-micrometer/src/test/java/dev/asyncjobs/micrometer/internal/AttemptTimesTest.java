package dev.asyncjobs.micrometer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each attempt is timed by its own start, whatever order the listener hears of them in. */
class AttemptTimesTest {
  private final AtomicLong clock = new AtomicLong();
  private final AttemptTimes times = new AttemptTimes(clock::get);
  private final UUID id = UUID.randomUUID();

  private Job attempt(int n) {
    return Job.builder().id(id).ownerId("o").type("t").attempts(n).createdAt(Instant.EPOCH).build();
  }

  @Test
  void theNextAttemptStartingBeforeThisOneIsReportedTimesBoth() {
    times.started(attempt(1));
    clock.addAndGet(5_000_000);
    // a retry claimed at once: attempt 2 starts before the listener hears how attempt 1 ended
    times.started(attempt(2));
    clock.addAndGet(2_000_000);
    assertThat(times.ended(attempt(1))).isEqualTo(Duration.ofMillis(7));
    clock.addAndGet(1_000_000);
    assertThat(times.ended(attempt(2))).isEqualTo(Duration.ofMillis(3));
    assertThat(times.size()).isZero();
  }

  @Test
  void anAttemptNotSeenStartingHereIsNotTimed() {
    times.started(attempt(2));
    assertThat(times.ended(attempt(1))).isNull();
    times.forget(attempt(2));
    assertThat(times.size()).isZero();
  }
}
