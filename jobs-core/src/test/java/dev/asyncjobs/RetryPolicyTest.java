package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static RandomGenerator fixed(double fraction) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return fraction;
      }
    };
  }

  @Test
  void ceilingDoublesFromBaseUpToCap() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10));
    assertThat(p.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.ceiling(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.ceiling(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.ceiling(5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.ceiling(100)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void fullJitterDrawsFromZeroToCeiling() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10));
    assertThat(p.delay(3, fixed(0.0))).isEqualTo(Duration.ZERO);
    assertThat(p.delay(3, fixed(0.25))).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delay(3, fixed(0.5))).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(6, fixed(0.5))).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void realRandomStaysWithinCeiling() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
    RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
    for (int attempt = 1; attempt <= 8; attempt++) {
      for (int i = 0; i < 200; i++) {
        assertThat(p.delay(attempt, random)).isBetween(Duration.ZERO, p.ceiling(attempt));
      }
    }
  }

  @Test
  void brokenRandomIsClampedIntoRange() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(4));
    assertThat(p.delay(1, fixed(-3))).isEqualTo(Duration.ZERO);
    assertThat(p.delay(1, fixed(7))).isLessThan(Duration.ofSeconds(1));
    assertThat(p.delay(1, fixed(Double.NaN))).isEqualTo(Duration.ZERO);
  }

  @Test
  void withoutJitterWaitsTheCeiling() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofMillis(500), Duration.ofSeconds(3)).withoutJitter();
    assertThat(p.jitter()).isFalse();
    assertThat(p.delay(1, fixed(0.1))).isEqualTo(Duration.ofMillis(500));
    assertThat(p.delay(4, fixed(0.1))).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void defaultIsTwoSecondsToFiveMinutesWithJitter() {
    assertThat(RetryPolicy.DEFAULT).isEqualTo(new RetryPolicy(Duration.ofSeconds(2), Duration.ofMinutes(5), true));
  }

  @Test
  void badValuesAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("retry base must be positive, was PT0S");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("retry base");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("retry cap must be at least the base (PT2S), was PT1S");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofDays(8)))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("retry cap must be at most PT168H");
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertThatThrownBy(() -> p.ceiling(0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("attempt must be at least 1, was 0");
  }
}
