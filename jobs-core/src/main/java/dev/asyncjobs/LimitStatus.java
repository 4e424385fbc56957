package dev.asyncjobs;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One limit's state across every worker right now: its bounds, how much of each is in use, whether
 * it is paused or backing off after a provider's "rate limited", and how many jobs wait behind it.
 * See {@link JobManager#limits()}.
 *
 * <p>A name may have a state without bounds: a paused job type, or a resource backing off that no
 * {@link JobLimit} names.
 *
 * <p>An immutable value with accessors, {@code equals} and {@code hashCode} over every field; new
 * fields may be added in later versions (build one with {@link #builder(String)}).
 */
public final class LimitStatus {
  private final String name;
  private final @Nullable JobLimit limit;
  private final int running;
  private final int startsInWindow;
  private final long unitsInWindow;
  private final boolean paused;
  private final @Nullable Instant backoffUntil;
  private final long waiting;

  private LimitStatus(Builder b) {
    this.name = b.name;
    this.limit = b.limit;
    this.running = b.running;
    this.startsInWindow = b.startsInWindow;
    this.unitsInWindow = b.unitsInWindow;
    this.paused = b.paused;
    this.backoffUntil = b.backoffUntil;
    this.waiting = b.waiting;
  }

  /** {@return the job type or resource} */
  public String name() {
    return name;
  }

  /** {@return the bounds, or {@code null} when the name is only paused or backing off} */
  public @Nullable JobLimit limit() {
    return limit;
  }

  /** {@return attempts running now under this name, on every worker} */
  public int running() {
    return running;
  }

  /** {@return attempts started within the last {@link JobLimit#startsInterval()} (0 without that bound)} */
  public int startsInWindow() {
    return startsInWindow;
  }

  /** {@return units reserved within the last {@link JobLimit#unitsInterval()} (0 without that bound)} */
  public long unitsInWindow() {
    return unitsInWindow;
  }

  /** {@return whether an operator paused it: nothing under this name is claimed until resumed} */
  public boolean paused() {
    return paused;
  }

  /**
   * {@return until when nothing under this name is claimed because a provider said "rate limited",
   * or {@code null} when not backing off}
   */
  public @Nullable Instant backoffUntil() {
    return backoffUntil;
  }

  /** {@return PENDING jobs whose type or generator's resources fall under this name} */
  public long waiting() {
    return waiting;
  }

  /**
   * {@return whether nothing under this name may start at {@code now}: paused, or backing off}
   *
   * @param now the time to judge at
   */
  public boolean isBlocked(Instant now) {
    return paused || (backoffUntil != null && backoffUntil.isAfter(now));
  }

  /**
   * {@return a builder; meant for {@link dev.asyncjobs.spi.JobStore} implementations}
   *
   * @param name the job type or resource
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** {@return a builder holding this state's values} */
  public Builder toBuilder() {
    return new Builder(name)
        .limit(limit)
        .running(running)
        .startsInWindow(startsInWindow)
        .unitsInWindow(unitsInWindow)
        .paused(paused)
        .backoffUntil(backoffUntil)
        .waiting(waiting);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof LimitStatus o
        && name.equals(o.name)
        && Objects.equals(limit, o.limit)
        && running == o.running
        && startsInWindow == o.startsInWindow
        && unitsInWindow == o.unitsInWindow
        && paused == o.paused
        && Objects.equals(backoffUntil, o.backoffUntil)
        && waiting == o.waiting;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, limit, running, startsInWindow, unitsInWindow, paused, backoffUntil, waiting);
  }

  @Override
  public String toString() {
    return "LimitStatus[" + name + ", limit=" + limit + ", running=" + running + ", startsInWindow=" + startsInWindow
        + ", unitsInWindow=" + unitsInWindow + ", paused=" + paused + ", backoffUntil=" + backoffUntil
        + ", waiting=" + waiting + "]";
  }

  /** Builds a {@link LimitStatus}. */
  public static final class Builder {
    private final String name;
    private @Nullable JobLimit limit;
    private int running;
    private int startsInWindow;
    private long unitsInWindow;
    private boolean paused;
    private @Nullable Instant backoffUntil;
    private long waiting;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * @param limit the bounds, or {@code null}
     * @return this builder
     */
    public Builder limit(@Nullable JobLimit limit) {
      this.limit = limit;
      return this;
    }

    /**
     * @param running attempts running now
     * @return this builder
     */
    public Builder running(int running) {
      this.running = running;
      return this;
    }

    /**
     * @param starts attempts started in the current window
     * @return this builder
     */
    public Builder startsInWindow(int starts) {
      this.startsInWindow = starts;
      return this;
    }

    /**
     * @param units units reserved in the current window
     * @return this builder
     */
    public Builder unitsInWindow(long units) {
      this.unitsInWindow = units;
      return this;
    }

    /**
     * @param paused whether an operator paused it
     * @return this builder
     */
    public Builder paused(boolean paused) {
      this.paused = paused;
      return this;
    }

    /**
     * @param until the end of a provider's back-off, or {@code null}
     * @return this builder
     */
    public Builder backoffUntil(@Nullable Instant until) {
      this.backoffUntil = until;
      return this;
    }

    /**
     * @param waiting PENDING jobs under this name
     * @return this builder
     */
    public Builder waiting(long waiting) {
      this.waiting = waiting;
      return this;
    }

    /** {@return the state} */
    public LimitStatus build() {
      return new LimitStatus(this);
    }
  }
}
