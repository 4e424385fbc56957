package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobLimitTest {
  @Test
  void keepsItsBoundsAndRoundTripsThroughItsBuilder() {
    JobLimit limit = JobLimit.builder("openai:gpt-image-1").maxRunning(5).maxStarts(50, Duration.ofMinutes(1))
        .maxUnits(40_000, Duration.ofMinutes(1)).build();
    assertThat(limit.name()).isEqualTo("openai:gpt-image-1");
    assertThat(limit.maxRunning()).hasValue(5);
    assertThat(limit.maxStarts()).hasValue(50);
    assertThat(limit.startsInterval()).contains(Duration.ofMinutes(1));
    assertThat(limit.maxUnits()).hasValue(40_000);
    assertThat(limit.toBuilder().build()).isEqualTo(limit).hasSameHashCodeAs(limit);
    assertThat(limit.toString()).contains("openai:gpt-image-1", "maxRunning=5", "maxStarts=50/PT1M");
    JobLimit onlyRunning = JobLimit.builder("image").maxRunning(1).build();
    assertThat(onlyRunning.maxStarts()).isEmpty();
    assertThat(onlyRunning.unitsInterval()).isEmpty();
    assertThat(onlyRunning).isNotEqualTo(limit);
  }

  @Test
  void badBoundsAreRefusedNamingTheField() {
    assertField(() -> JobLimit.builder("image").build(), "name", "no bound");
    assertField(() -> JobLimit.builder("image").maxRunning(0), "maxRunning", "at least 1");
    assertField(() -> JobLimit.builder("image").maxStarts(0, Duration.ofSeconds(1)), "maxStarts", "at least 1");
    assertField(() -> JobLimit.builder("image").maxStarts(1, Duration.ofMillis(5)), "startsInterval", "from 10 ms");
    assertField(() -> JobLimit.builder("image").maxStarts(1, Duration.ofDays(2)), "startsInterval", "1 day");
    assertField(() -> JobLimit.builder("image").maxUnits(0, Duration.ofSeconds(1)), "maxUnits", "at least 1");
    assertField(() -> JobLimit.builder("image").maxUnits(5, Duration.ZERO), "unitsInterval", "from 10 ms");
  }

  @Test
  void badNamesAreRefused() {
    assertField(() -> JobLimit.builder(""), "name", "needs a name");
    assertField(() -> JobLimit.builder("a b"), "name", "whitespace");
    assertField(() -> JobLimit.builder("tab\there"), "name", "whitespace");
    assertField(() -> JobLimit.builder("x".repeat(JobLimit.MAX_NAME_LENGTH + 1)), "name", "at most 200");
    assertThat(JobLimit.checkName("openai:gpt-4o-mini")).isEqualTo("openai:gpt-4o-mini");
  }

  @Test
  void aRateLimitNamesItsResourceAndWaitsAtLeastAMillisecond() {
    RateLimitedException e = new RateLimitedException("openai:gpt-image-1", Duration.ofSeconds(2));
    assertThat(e.resource()).isEqualTo("openai:gpt-image-1");
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(e.code()).isEqualTo("rate_limited");
    assertThat(e.getMessage()).contains("openai:gpt-image-1", "2000 ms");
    assertThat(new RateLimitedException(null, Duration.ofSeconds(-3)).retryAfter()).isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> new RateLimitedException("bad name", Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void aLimitStatusIsBlockedWhilePausedOrBackingOff() {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    LimitStatus idle = LimitStatus.builder("image").build();
    assertThat(idle.isBlocked(now)).isFalse();
    assertThat(idle.toBuilder().paused(true).build().isBlocked(now)).isTrue();
    assertThat(idle.toBuilder().backoffUntil(now.plusSeconds(1)).build().isBlocked(now)).isTrue();
    assertThat(idle.toBuilder().backoffUntil(now).build().isBlocked(now)).isFalse();
    assertThat(idle.toBuilder().running(2).build()).isNotEqualTo(idle);
  }

  private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String text) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.getMessage()).contains(text);
    });
  }
}
