package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a job waits before its next attempt: exponential backoff with full jitter. The ceiling
 * of attempt {@code n} is {@code min(cap, base * 2^(n-1))}; with jitter the delay is drawn evenly
 * from {@code [0, ceiling)}, which spreads the retries of many jobs that failed together (a rate
 * limit, an outage) instead of sending them back in one wave. The number of attempts is not part of
 * the policy: it belongs to each job ({@link Job#maxAttempts()}).
 *
 * <p>A retryable failure that names a retry-after waits at least that long, whatever the policy
 * says.
 *
 * @param base the ceiling of the first retry (after attempt 1); positive
 * @param cap the largest ceiling; at least {@code base}, at most {@link #MAX_CAP}
 * @param jitter whether to draw the delay from {@code [0, ceiling)} (full jitter) or to wait the
 *     ceiling exactly
 */
public record RetryPolicy(Duration base, Duration cap, boolean jitter) {
  /** The largest cap allowed: one week. */
  public static final Duration MAX_CAP = Duration.ofDays(7);

  /** The default: base 2 s, cap 5 min, full jitter. */
  public static final RetryPolicy DEFAULT = exponential(Duration.ofSeconds(2), Duration.ofMinutes(5));

  /**
   * Checks the values.
   *
   * @param base the ceiling of the first retry (after attempt 1); positive
   * @param cap the largest ceiling; at least {@code base}, at most {@link #MAX_CAP}
   * @param jitter whether to draw the delay from {@code [0, ceiling)} (full jitter) or to wait the
   *     ceiling exactly
   * @throws JobConfigurationException base not positive, cap below base or above {@link #MAX_CAP}
   */
  public RetryPolicy {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero()) {
      throw new JobConfigurationException("retry base must be positive, was " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new JobConfigurationException("retry cap must be at least the base (" + base + "), was " + cap);
    }
    if (cap.compareTo(MAX_CAP) > 0) {
      throw new JobConfigurationException("retry cap must be at most " + MAX_CAP + ", was " + cap);
    }
  }

  /**
   * Exponential backoff with full jitter between {@code base} and {@code cap}.
   *
   * @param base the first retry's ceiling
   * @param cap the longest wait
   * @return the policy
   */
  public static RetryPolicy exponential(Duration base, Duration cap) {
    return new RetryPolicy(base, cap, true);
  }

  /**
   * {@return the same policy waiting exactly the ceiling each time (predictable, but retries
   * bunch up)}
   */
  public RetryPolicy withoutJitter() {
    return new RetryPolicy(base, cap, false);
  }

  /**
   * The longest wait after attempt {@code attempt} failed: {@code min(cap, base * 2^(attempt-1))}.
   *
   * @param attempt the number of the failed attempt, from 1
   * @return the ceiling
   * @throws InvalidRequestException attempt below 1
   */
  public Duration ceiling(int attempt) {
    if (attempt < 1) {
      throw new InvalidRequestException("attempt", "attempt must be at least 1, was " + attempt);
    }
    int doublings = attempt - 1;
    long baseNanos = base.toNanos();
    long capNanos = cap.toNanos();
    if (doublings >= Long.SIZE - 2 || baseNanos > (capNanos >> doublings)) {
      return cap;
    }
    return Duration.ofNanos(baseNanos << doublings);
  }

  /**
   * The wait after attempt {@code attempt} failed: the ceiling, or with jitter a value drawn from
   * {@code [0, ceiling)} with {@code random.nextDouble()}.
   *
   * @param attempt the number of the failed attempt, from 1
   * @param random the source of the jitter
   * @return the wait
   * @throws InvalidRequestException attempt below 1
   */
  public Duration delay(int attempt, RandomGenerator random) {
    Duration ceiling = ceiling(attempt);
    if (!jitter) {
      return ceiling;
    }
    double fraction = random.nextDouble();
    if (!(fraction >= 0.0 && fraction < 1.0)) {
      // A broken random source must not produce negative or over-cap delays.
      fraction = fraction >= 1.0 ? Math.nextDown(1.0) : 0.0;
    }
    return Duration.ofNanos((long) (ceiling.toNanos() * fraction));
  }
}
