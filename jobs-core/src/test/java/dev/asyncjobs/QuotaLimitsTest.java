package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.spi.QuotaWindow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaLimitsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  /** A typical plan: 10 an hour, 100 a day, one a minute. */
  private static final QuotaLimits TEN_AN_HOUR = new QuotaLimits(10, 100, Duration.ofMinutes(1));

  @Test
  void nobodyIsLimitedUnlessAPolicySaysSo() {
    assertThat(QuotaLimits.UNLIMITED.isUnlimited()).isTrue();
    assertThat(QuotaPolicy.unlimited().limitsFor("anyone").isUnlimited()).isTrue();
    assertThat(QuotaPolicy.builder().build().limitsFor("anyone").isUnlimited()).isTrue();
    assertThat(QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1)).limitsFor("anyone")).isEqualTo(TEN_AN_HOUR);
    assertThat(QuotaPolicy.everyOwner(TEN_AN_HOUR).limitsFor("anyone")).isEqualTo(TEN_AN_HOUR);
  }

  @Test
  void aNegativeLimitIsRefusedWithItsName() {
    assertThatThrownBy(() -> QuotaPolicy.perOwner(-1, 100, Duration.ZERO))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("maxPerHour");
  }

  @Test
  void minIntervalRefusesWithWhenToRetry() {
    QuotaWindow w = new QuotaWindow(1, 1, NOW.minusSeconds(20), NOW.minusSeconds(20), NOW.minusSeconds(20));
    assertThatThrownBy(() -> TEN_AN_HOUR.check("u", NOW, 1, w))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.MIN_INTERVAL);
          assertThat(e.limitValue()).isEqualTo(60);
          assertThat(e.retryAt()).isEqualTo(NOW.plusSeconds(40));
          assertThat(e.ownerId()).isEqualTo("u");
          assertThat(e.getMessage()).contains("at most one create every 60 s").contains(NOW.plusSeconds(40).toString());
        });
  }

  @Test
  void perHourRefusesUntilTheOldestLeavesTheWindow() {
    QuotaWindow w = new QuotaWindow(10, 10, NOW.minusSeconds(3000), NOW.minusSeconds(3000), NOW.minusSeconds(120));
    assertThatThrownBy(() -> TEN_AN_HOUR.check("u", NOW, 1, w))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.PER_HOUR);
          assertThat(e.limitValue()).isEqualTo(10);
          assertThat(e.retryAt()).isEqualTo(NOW.minusSeconds(3000).plus(Duration.ofHours(1)));
        });
  }

  @Test
  void perDayRefuses() {
    QuotaWindow w = new QuotaWindow(0, 100, null, NOW.minus(Duration.ofHours(20)), NOW.minus(Duration.ofHours(2)));
    assertThatThrownBy(() -> TEN_AN_HOUR.check("u", NOW, 1, w))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.PER_DAY);
          assertThat(e.retryAt()).isEqualTo(NOW.plus(Duration.ofHours(4)));
        });
  }

  @Test
  void aBatchLargerThanTheLimitCanNeverSucceed() {
    assertThatThrownBy(() -> TEN_AN_HOUR.check("u", NOW, 11, QuotaWindow.EMPTY))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.retryAt()).isNull();
          assertThat(e.getMessage()).contains("larger than the limit");
        });
  }

  @Test
  void withinLimitsPasses() {
    TEN_AN_HOUR.check("u", NOW, 1, new QuotaWindow(9, 50, NOW.minusSeconds(600), NOW.minusSeconds(6000), NOW.minusSeconds(61)));
    QuotaLimits.UNLIMITED.check("u", NOW, 1_000_000, new QuotaWindow(5, 5, NOW, NOW, NOW));
  }

  @Test
  void badLimitsAreConfigurationErrors() {
    assertThatThrownBy(() -> new QuotaLimits(-1, 10, Duration.ZERO))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("maxPerHour").hasMessageContaining("-1");
    assertThatThrownBy(() -> new QuotaLimits(1, 10, Duration.ofSeconds(-1)))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("minInterval");
  }

  @Test
  void policyOverridesPerOwner() {
    QuotaLimits premium = new QuotaLimits(100, 1000, Duration.ZERO);
    QuotaPolicy p = QuotaPolicy.builder().defaults(TEN_AN_HOUR).owner("premium", premium).unlimited("svc").build();
    assertThat(p.limitsFor("premium")).isEqualTo(premium);
    assertThat(p.limitsFor("svc")).isEqualTo(QuotaLimits.UNLIMITED);
    assertThat(p.limitsFor("anyone")).isEqualTo(TEN_AN_HOUR);
  }

  @Test
  void usageSaysWhenTheNextCreateIsAllowed() {
    QuotaWindow w = new QuotaWindow(1, 1, NOW.minusSeconds(30), NOW.minusSeconds(30), NOW.minusSeconds(30));
    QuotaUsage u = QuotaUsage.of("u", TEN_AN_HOUR, w, NOW);
    assertThat(u.usedLastHour()).isEqualTo(1);
    assertThat(u.nextCreateAllowedAt()).isEqualTo(NOW.plusSeconds(30));
    assertThat(QuotaUsage.of("u", TEN_AN_HOUR, QuotaWindow.EMPTY, NOW).nextCreateAllowedAt()).isEqualTo(NOW);
  }
}
