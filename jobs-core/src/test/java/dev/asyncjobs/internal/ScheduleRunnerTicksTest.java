package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobRequest;
import dev.asyncjobs.MissedTicks;
import dev.asyncjobs.Schedule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which ticks a poll fires: on-time ones each, missed ones by the policy, a bounded number per poll. */
class ScheduleRunnerTicksTest {
  private static final JobRequest JOB = JobRequest.builder("o", "t").build();
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Schedule everyMinute(MissedTicks policy, Duration threshold) {
    return Schedule.every("m", Duration.ofMinutes(1)).missedTicks(policy).misfireThreshold(threshold).job(JOB).build();
  }

  @Test
  void aTickJustDueIsFiredAlone() {
    assertThat(ScheduleRunner.dueTicks(everyMinute(MissedTicks.SKIP, Duration.ofSeconds(30)), T0, T0.plusMillis(5)))
        .containsExactly(T0);
  }

  @Test
  void lateTicksWithinTheThresholdAreEachFired() {
    Schedule s = everyMinute(MissedTicks.SKIP, Duration.ofMinutes(5));

    assertThat(ScheduleRunner.dueTicks(s, T0, T0.plusSeconds(150)))
        .containsExactly(T0, T0.plusSeconds(60), T0.plusSeconds(120));
  }

  @Test
  void missedTicksAreSkippedOrRunOnceForTheNewest() {
    Instant now = T0.plus(Duration.ofMinutes(30)).plusSeconds(30);

    assertThat(ScheduleRunner.dueTicks(everyMinute(MissedTicks.SKIP, Duration.ofSeconds(10)), T0, now)).isEmpty();
    assertThat(ScheduleRunner.dueTicks(everyMinute(MissedTicks.RUN_ONCE, Duration.ofSeconds(10)), T0, now))
        .containsExactly(T0.plus(Duration.ofMinutes(30)));
  }

  @Test
  void runOnceThenTheOnTimeTicks() {
    Instant now = T0.plus(Duration.ofMinutes(30)).plusSeconds(30);

    assertThat(ScheduleRunner.dueTicks(everyMinute(MissedTicks.RUN_ONCE, Duration.ofSeconds(45)), T0, now))
        .containsExactly(T0.plus(Duration.ofMinutes(29)), T0.plus(Duration.ofMinutes(30)));
  }

  @Test
  void onePollFiresAtMostTheBound() {
    Schedule s = Schedule.every("s", Duration.ofSeconds(1)).misfireThreshold(Duration.ofDays(1)).job(JOB).build();

    assertThat(ScheduleRunner.dueTicks(s, T0, T0.plus(Duration.ofHours(1)))).hasSize(ScheduleRunner.MAX_TICKS_PER_POLL)
        .startsWith(T0, T0.plusSeconds(1));
  }
}
