package dev.asyncjobs.tck;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand. Thread-safe: many threads may read it while one moves it. Clocks
 * made by {@link #withZone(ZoneId)} share the same instant, so moving one moves all.
 */
public final class MutableClock extends Clock {
  /**
   * Where the contract suite starts its clock: a whole second, so that every instant the suite
   * makes has at most millisecond precision and survives a database that keeps microseconds.
   */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /**
   * A clock standing at {@code start}, in UTC.
   *
   * @param start the instant the clock stands at
   */
  public MutableClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /** A clock standing at {@link #DEFAULT_START}, in UTC. */
  public MutableClock() {
    this(DEFAULT_START);
  }

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A clock in another zone that shares this clock's instant. */
  @Override
  public Clock withZone(ZoneId newZone) {
    return newZone.equals(zone) ? this : new MutableClock(now, Objects.requireNonNull(newZone, "zone"));
  }

  /**
   * Moves the clock forward.
   *
   * @param by how far to move it, not negative
   * @return the new instant
   * @throws IllegalArgumentException when {@code by} is negative: time going backwards is never
   *     what a contract test means, use {@link #set(Instant)} to say so explicitly
   */
  public Instant advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("advance needs a duration >= 0, was " + by);
    }
    return now.updateAndGet(t -> t.plus(by));
  }

  /**
   * Puts the clock at {@code instant}, forwards or backwards.
   *
   * @param instant the new instant
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + ", " + zone + "]";
  }
}
