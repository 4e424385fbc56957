package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A limit that every worker on a store obeys together: on a job type (a limit named like the
 * type) or on a resource that generators declare ({@link Generator#resources()}, e.g. {@code
 * openai:gpt-image-1}). Held by the store, so one definition binds every process; see {@link
 * JobManager#defineLimit(JobLimit)}.
 *
 * <p>A limit has one to three bounds, all checked when a worker claims:
 *
 * <ul>
 *   <li>{@link #maxRunning()}: at most this many attempts run at once;
 *   <li>{@link #maxStarts()} per {@link #startsInterval()}: at most this many attempts start in any
 *       such interval (a sliding window);
 *   <li>{@link #maxUnits()} per {@link #unitsInterval()}: at most this many units (tokens, images,
 *       seconds of audio) are reserved in any such interval. An attempt reserves its generator's
 *       {@linkplain Generator#estimateUnits(Object) estimate} when it starts; what it reports with
 *       {@link JobContext#reportUnits(long)} replaces the reservation when it ends.
 * </ul>
 *
 * <p>An immutable value; build one with {@link #builder(String)}. The builder's checks throw
 * {@link InvalidRequestException} naming the field, so that a limit sent over HTTP fails as a 400.
 */
public final class JobLimit {
  /** The longest name of a limit. */
  public static final int MAX_NAME_LENGTH = 200;

  /** The shortest interval of a rate or units bound. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(10);

  /** The longest interval of a rate or units bound (the store keeps that much history). */
  public static final Duration MAX_INTERVAL = Duration.ofDays(1);

  private static final Pattern NAME = Pattern.compile("[\\p{Graph}&&[^\\p{Cntrl}]]+");

  private final String name;
  private final @Nullable Integer maxRunning;
  private final @Nullable Integer maxStarts;
  private final @Nullable Duration startsInterval;
  private final @Nullable Long maxUnits;
  private final @Nullable Duration unitsInterval;

  private JobLimit(Builder b) {
    this.name = b.name;
    this.maxRunning = b.maxRunning;
    this.maxStarts = b.maxStarts;
    this.startsInterval = b.startsInterval;
    this.maxUnits = b.maxUnits;
    this.unitsInterval = b.unitsInterval;
  }

  /**
   * {@return a builder for the limit named {@code name}: a job type's name, or a resource key}
   *
   * @param name what the limit applies to
   * @throws InvalidRequestException the name is blank, too long or holds whitespace or control
   *     characters (field {@code name})
   */
  public static Builder builder(String name) {
    return new Builder(checkName(name));
  }

  /**
   * Checks a limit's name, as every method taking one does.
   *
   * @param name a job type's name or a resource key
   * @return the name
   * @throws InvalidRequestException the name is blank, longer than {@value #MAX_NAME_LENGTH}
   *     characters, or holds whitespace or control characters (field {@code name})
   */
  public static String checkName(@Nullable String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidRequestException("name", "a limit needs a name: a job type or a resource key such as openai:gpt-image-1");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidRequestException("name", "a limit's name is at most " + MAX_NAME_LENGTH + " characters, was " + name.length());
    }
    if (!NAME.matcher(name).matches()) {
      throw new InvalidRequestException("name", "a limit's name holds no whitespace or control characters: '" + name + "'");
    }
    return name;
  }

  /** {@return the job type or resource this limit applies to} */
  public String name() {
    return name;
  }

  /** {@return at most this many attempts run at once, if bounded} */
  public OptionalInt maxRunning() {
    return maxRunning == null ? OptionalInt.empty() : OptionalInt.of(maxRunning);
  }

  /** {@return at most this many attempts start per {@link #startsInterval()}, if bounded} */
  public OptionalInt maxStarts() {
    return maxStarts == null ? OptionalInt.empty() : OptionalInt.of(maxStarts);
  }

  /** {@return the window of {@link #maxStarts()}, if bounded} */
  public Optional<Duration> startsInterval() {
    return Optional.ofNullable(startsInterval);
  }

  /** {@return at most this many units are reserved per {@link #unitsInterval()}, if bounded} */
  public OptionalLong maxUnits() {
    return maxUnits == null ? OptionalLong.empty() : OptionalLong.of(maxUnits);
  }

  /** {@return the window of {@link #maxUnits()}, if bounded} */
  public Optional<Duration> unitsInterval() {
    return Optional.ofNullable(unitsInterval);
  }

  /** {@return a builder holding this limit's values} */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.maxRunning = maxRunning;
    b.maxStarts = maxStarts;
    b.startsInterval = startsInterval;
    b.maxUnits = maxUnits;
    b.unitsInterval = unitsInterval;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof JobLimit o
        && name.equals(o.name)
        && Objects.equals(maxRunning, o.maxRunning)
        && Objects.equals(maxStarts, o.maxStarts)
        && Objects.equals(startsInterval, o.startsInterval)
        && Objects.equals(maxUnits, o.maxUnits)
        && Objects.equals(unitsInterval, o.unitsInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, maxRunning, maxStarts, startsInterval, maxUnits, unitsInterval);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("JobLimit[").append(name);
    if (maxRunning != null) {
      s.append(", maxRunning=").append(maxRunning);
    }
    if (maxStarts != null) {
      s.append(", maxStarts=").append(maxStarts).append('/').append(startsInterval);
    }
    if (maxUnits != null) {
      s.append(", maxUnits=").append(maxUnits).append('/').append(unitsInterval);
    }
    return s.append(']').toString();
  }

  /** Builds a {@link JobLimit}; needs at least one bound. */
  public static final class Builder {
    private final String name;
    private @Nullable Integer maxRunning;
    private @Nullable Integer maxStarts;
    private @Nullable Duration startsInterval;
    private @Nullable Long maxUnits;
    private @Nullable Duration unitsInterval;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * At most {@code n} attempts run at once, across every worker.
     *
     * @param n at least 1
     * @return this builder
     * @throws InvalidRequestException {@code n} is below 1 (field {@code maxRunning})
     */
    public Builder maxRunning(int n) {
      if (n < 1) {
        throw new InvalidRequestException("maxRunning", "maxRunning must be at least 1, was " + n);
      }
      this.maxRunning = n;
      return this;
    }

    /**
     * At most {@code n} attempts start in any {@code interval}, across every worker.
     *
     * @param n at least 1
     * @param interval from {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
     * @return this builder
     * @throws InvalidRequestException {@code n} is below 1 (field {@code maxStarts}) or the interval is
     *     out of range (field {@code startsInterval})
     */
    public Builder maxStarts(int n, Duration interval) {
      if (n < 1) {
        throw new InvalidRequestException("maxStarts", "maxStarts must be at least 1, was " + n);
      }
      this.startsInterval = checkInterval("startsInterval", interval);
      this.maxStarts = n;
      return this;
    }

    /**
     * At most {@code units} are reserved in any {@code interval}, across every worker.
     *
     * @param units at least 1
     * @param interval from {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL}
     * @return this builder
     * @throws InvalidRequestException {@code units} is below 1 (field {@code maxUnits}) or the interval
     *     is out of range (field {@code unitsInterval})
     */
    public Builder maxUnits(long units, Duration interval) {
      if (units < 1) {
        throw new InvalidRequestException("maxUnits", "maxUnits must be at least 1, was " + units);
      }
      this.unitsInterval = checkInterval("unitsInterval", interval);
      this.maxUnits = units;
      return this;
    }

    /**
     * {@return the limit}
     *
     * @throws InvalidRequestException no bound was set (field {@code name})
     */
    public JobLimit build() {
      if (maxRunning == null && maxStarts == null && maxUnits == null) {
        throw new InvalidRequestException(
            "name", "limit " + name + " has no bound: set maxRunning, maxStarts or maxUnits (to stop claims, pause it instead)");
      }
      return new JobLimit(this);
    }

    private static Duration checkInterval(String field, @Nullable Duration interval) {
      if (interval == null) {
        throw new InvalidRequestException(field, field + " is required");
      }
      if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
        throw new InvalidRequestException(
            field, field + " must be from " + MIN_INTERVAL.toMillis() + " ms to 1 day, was " + interval);
      }
      return interval;
    }
  }
}
