package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.internal.ScheduleCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final JobRequest JOB = JobRequest.builder("owner", "text").payload("{\"prompt\":\"hi\"}").build();

  @Test
  void fiveFieldsReadAsCrontabAndSixWithSecondsFirst() {
    Instant at = Instant.parse("2026-03-01T10:07:13Z");
    Schedule crontab = Schedule.cron("c5", "*/15 * * * *").job(JOB).build();
    Schedule seconds = Schedule.cron("c6", "*/10 * * * * *").job(JOB).build();

    assertThat(crontab.nextTickAfter(at)).contains(Instant.parse("2026-03-01T10:15:00Z"));
    assertThat(seconds.nextTickAfter(at)).contains(Instant.parse("2026-03-01T10:07:20Z"));
    assertThat(seconds.lastTickBefore(at)).contains(Instant.parse("2026-03-01T10:07:10Z"));
  }

  @Test
  void cronFieldsAreReadInTheZone() {
    Schedule berlin = Schedule.cron("b", "0 30 3 * * *").zone(ZoneId.of("Europe/Berlin")).job(JOB).build();

    // 03:30 in Berlin is 02:30 UTC in winter (CET, +1)
    assertThat(berlin.nextTickAfter(Instant.parse("2026-01-10T00:00:00Z"))).contains(Instant.parse("2026-01-10T02:30:00Z"));
  }

  @Test
  void intervalsCountFromTheEpoch() {
    Schedule hourly = Schedule.every("h", Duration.ofHours(1)).job(JOB).build();

    assertThat(hourly.nextTickAfter(Instant.parse("2026-01-10T05:59:59.999Z"))).contains(Instant.parse("2026-01-10T06:00:00Z"));
    assertThat(hourly.nextTickAfter(Instant.parse("2026-01-10T06:00:00Z"))).contains(Instant.parse("2026-01-10T07:00:00Z"));
    assertThat(hourly.lastTickBefore(Instant.parse("2026-01-10T06:00:00Z"))).contains(Instant.parse("2026-01-10T05:00:00Z"));
    assertThat(hourly.keyOf(Instant.parse("2026-01-10T06:00:00Z"))).isEqualTo("schedule:h:1768024800000");
  }

  @Test
  void badInputIsRefusedWithTheField() {
    assertRefused(() -> Schedule.cron("x", "61 * * * *"), "cron", "cannot be read");
    assertRefused(() -> Schedule.cron("x", "* * *"), "cron", "has 3");
    assertRefused(() -> Schedule.cron("x", "0 0 30 2 *").job(JOB).build(), "cron", "never fires");
    assertRefused(() -> Schedule.every("x", Duration.ofMillis(999)), "interval", "1 s to 366 days");
    assertRefused(() -> Schedule.every("x", Duration.ofDays(400)), "interval", "1 s to 366 days");
    assertRefused(() -> Schedule.every("has space", Duration.ofSeconds(1)), "name", "letters, digits");
    assertRefused(() -> Schedule.every("", Duration.ofSeconds(1)), "name", "letters, digits");
    assertRefused(() -> Schedule.every("x".repeat(101), Duration.ofSeconds(1)), "name", "letters, digits");
    assertRefused(() -> Schedule.every("asyncjobs.mine", Duration.ofSeconds(1)), "name", "the library's own");
    assertRefused(() -> Schedule.every("x", Duration.ofSeconds(1)).build(), "job", "needs the job");
    assertRefused(() -> Schedule.every("x", Duration.ofSeconds(1)).job(JOB.toBuilder().idempotencyKey("k").build()),
        "idempotencyKey", "from the tick");
    assertRefused(() -> Schedule.every("x", Duration.ofSeconds(1)).job(JOB.toBuilder().runAt(Instant.EPOCH).build()),
        "runAt", "runs at its tick");
    assertRefused(() -> Schedule.every("x", Duration.ofSeconds(1)).misfireThreshold(Duration.ofMillis(10)),
        "misfireThreshold", "1 s to 1 day");
  }

  @Test
  void theDefinitionRoundTripsAndIsTheSameTextForTheSameSchedule() {
    Schedule s = Schedule.cron("nightly", "0 30 3 * * *").zone(ZoneId.of("Europe/Berlin")).missedTicks(MissedTicks.SKIP)
        .misfireThreshold(Duration.ofMinutes(5))
        .job(JOB.toBuilder().priority(7).maxAttempts(2).metadata("b", "2").metadata("a", "1").build())
        .build();

    String definition = ScheduleCodec.encode(s);

    assertThat(ScheduleCodec.decode("nightly", definition)).isEqualTo(s);
    assertThat(ScheduleCodec.encode(s.toBuilder().build())).isEqualTo(definition);
    assertThat(ScheduleCodec.encode(s.toBuilder().missedTicks(MissedTicks.RUN_ONCE).build())).isNotEqualTo(definition);
  }

  @Test
  void aDefinitionOfAnotherVersionIsRefusedByName() {
    assertThatThrownBy(() -> ScheduleCodec.decode("old", "{\"v\":99}"))
        .isInstanceOf(JobException.class).hasMessageContaining("schedule old").hasMessageContaining("another version");
    assertThatThrownBy(() -> ScheduleCodec.decode("broken", "not json"))
        .isInstanceOf(JobException.class).hasMessageContaining("schedule broken");
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String text) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.getMessage()).contains(text);
    });
  }
}
