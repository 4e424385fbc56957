package dev.asyncjobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The queue of one job type right now: what waits, what is due, what runs, and since when the
 * oldest due job waits. Cheap to read (it counts only unfinished jobs), for gauges and operators;
 * see {@link JobManager#queueStats()}.
 *
 * <p>An immutable value with accessors, {@code equals} and {@code hashCode} over every field; new
 * fields may be added in later versions (build one with {@link #builder(String)}).
 */
public final class QueueStats {
  private final String type;
  private final long pending;
  private final long due;
  private final long running;
  private final @Nullable Instant oldestDueAt;

  private QueueStats(Builder b) {
    this.type = b.type;
    this.pending = b.pending;
    this.due = b.due;
    this.running = b.running;
    this.oldestDueAt = b.oldestDueAt;
  }

  /** {@return the job type} */
  public String type() {
    return type;
  }

  /** {@return PENDING jobs, due or scheduled later} */
  public long pending() {
    return pending;
  }

  /** {@return PENDING jobs whose run time has come: a worker would claim them now} */
  public long due() {
    return due;
  }

  /** {@return PROCESSING jobs} */
  public long running() {
    return running;
  }

  /** {@return the run time of the oldest due job, or {@code null} when none is due} */
  public @Nullable Instant oldestDueAt() {
    return oldestDueAt;
  }

  /**
   * {@return how long the oldest due job has waited at {@code now}; zero when none is due}
   *
   * @param now the time to measure at
   */
  public Duration oldestDueAge(Instant now) {
    if (oldestDueAt == null || oldestDueAt.isAfter(now)) {
      return Duration.ZERO;
    }
    return Duration.between(oldestDueAt, now);
  }

  /**
   * {@return a builder for one type's queue; meant for {@link dev.asyncjobs.spi.JobStore}
   * implementations}
   *
   * @param type the job type
   */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof QueueStats o
        && type.equals(o.type)
        && pending == o.pending
        && due == o.due
        && running == o.running
        && Objects.equals(oldestDueAt, o.oldestDueAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, pending, due, running, oldestDueAt);
  }

  @Override
  public String toString() {
    return "QueueStats[" + type + ": pending=" + pending + ", due=" + due + ", running=" + running
        + ", oldestDueAt=" + oldestDueAt + "]";
  }

  /** Builds {@link QueueStats}; counts default to 0. */
  public static final class Builder {
    private final String type;
    private long pending;
    private long due;
    private long running;
    private @Nullable Instant oldestDueAt;

    private Builder(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * Sets {@link QueueStats#pending()}.
     *
     * @param v the count
     * @return this builder
     */
    public Builder pending(long v) { pending = v; return this; }

    /**
     * Sets {@link QueueStats#due()}.
     *
     * @param v the count
     * @return this builder
     */
    public Builder due(long v) { due = v; return this; }

    /**
     * Sets {@link QueueStats#running()}.
     *
     * @param v the count
     * @return this builder
     */
    public Builder running(long v) { running = v; return this; }

    /**
     * Sets {@link QueueStats#oldestDueAt()}.
     *
     * @param v the run time of the oldest due job, or {@code null}
     * @return this builder
     */
    public Builder oldestDueAt(@Nullable Instant v) { oldestDueAt = v; return this; }

    /** {@return the value} */
    public QueueStats build() {
      return new QueueStats(this);
    }
  }
}
