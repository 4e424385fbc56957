package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Counts and timings of one job type.
 *
 * <p>An immutable value with accessors, {@code equals} and {@code hashCode} over every field; new
 * fields may be added in later versions (build one with {@link #builder()}).
 */
public final class JobStats {
  private final String type;
  private final long pending;
  private final long processing;
  private final long completed;
  private final long failed;
  private final long cancelled;
  private final @Nullable Duration averageDuration;
  private final @Nullable Duration p50Duration;
  private final @Nullable Duration p95Duration;
  private final @Nullable Duration p99Duration;

  private JobStats(Builder b) {
    this.type = require(b.type, "type");
    this.pending = b.pending;
    this.processing = b.processing;
    this.completed = b.completed;
    this.failed = b.failed;
    this.cancelled = b.cancelled;
    this.averageDuration = b.averageDuration;
    this.p50Duration = b.p50Duration;
    this.p95Duration = b.p95Duration;
    this.p99Duration = b.p99Duration;
  }

  /** {@return the job type} */
  public String type() {
    return type;
  }

  /** {@return jobs waiting} */
  public long pending() {
    return pending;
  }

  /** {@return jobs running} */
  public long processing() {
    return processing;
  }

  /** {@return jobs finished with a result} */
  public long completed() {
    return completed;
  }

  /** {@return jobs failed for good} */
  public long failed() {
    return failed;
  }

  /** {@return jobs cancelled} */
  public long cancelled() {
    return cancelled;
  }

  /** {@return the mean {@code actualDuration} of completed jobs, if any completed} */
  public @Nullable Duration averageDuration() {
    return averageDuration;
  }

  /** {@return the median of it} */
  public @Nullable Duration p50Duration() {
    return p50Duration;
  }

  /** {@return its 95th percentile} */
  public @Nullable Duration p95Duration() {
    return p95Duration;
  }

  /** {@return its 99th percentile} */
  public @Nullable Duration p99Duration() {
    return p99Duration;
  }

  /** {@return a builder holding this jobStats's values, to change some of them} */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** {@return a builder for statistics; meant for {@link dev.asyncjobs.spi.JobStore} implementations} */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof JobStats o)) {
      return false;
    }
    return Objects.equals(type, o.type)
        && pending == o.pending
        && processing == o.processing
        && completed == o.completed
        && failed == o.failed
        && cancelled == o.cancelled
        && Objects.equals(averageDuration, o.averageDuration)
        && Objects.equals(p50Duration, o.p50Duration)
        && Objects.equals(p95Duration, o.p95Duration)
        && Objects.equals(p99Duration, o.p99Duration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, pending, processing, completed, failed, cancelled, averageDuration, p50Duration, p95Duration, p99Duration);
  }

  @Override
  public String toString() {
    return "JobStats[type=" + type + ", pending=" + pending + ", processing=" + processing + ", completed=" + completed + ", failed=" + failed + ", cancelled=" + cancelled + ", averageDuration=" + averageDuration + ", p50Duration=" + p50Duration + ", p95Duration=" + p95Duration + ", p99Duration=" + p99Duration + "]";
  }

  private static <T> T require(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("JobStats.Builder: " + name + " is required");
    }
    return value;
  }

  /** Builds {@link JobStats} values; every setter returns this builder. */
  public static final class Builder {
    private @Nullable String type;
    private long pending;
    private long processing;
    private long completed;
    private long failed;
    private long cancelled;
    private @Nullable Duration averageDuration;
    private @Nullable Duration p50Duration;
    private @Nullable Duration p95Duration;
    private @Nullable Duration p99Duration;

    private Builder() {}

    private Builder(JobStats v) {
      this.type = v.type;
      this.pending = v.pending;
      this.processing = v.processing;
      this.completed = v.completed;
      this.failed = v.failed;
      this.cancelled = v.cancelled;
      this.averageDuration = v.averageDuration;
      this.p50Duration = v.p50Duration;
      this.p95Duration = v.p95Duration;
      this.p99Duration = v.p99Duration;
    }

    /**
     * Sets the job type.
     *
     * @param type the value
     * @return this builder
     */
    public Builder type(String type) {
      this.type = type;
      return this;
    }

    /**
     * Sets jobs waiting.
     *
     * @param pending the value
     * @return this builder
     */
    public Builder pending(long pending) {
      this.pending = pending;
      return this;
    }

    /**
     * Sets jobs running.
     *
     * @param processing the value
     * @return this builder
     */
    public Builder processing(long processing) {
      this.processing = processing;
      return this;
    }

    /**
     * Sets jobs finished with a result.
     *
     * @param completed the value
     * @return this builder
     */
    public Builder completed(long completed) {
      this.completed = completed;
      return this;
    }

    /**
     * Sets jobs failed for good.
     *
     * @param failed the value
     * @return this builder
     */
    public Builder failed(long failed) {
      this.failed = failed;
      return this;
    }

    /**
     * Sets jobs cancelled.
     *
     * @param cancelled the value
     * @return this builder
     */
    public Builder cancelled(long cancelled) {
      this.cancelled = cancelled;
      return this;
    }

    /**
     * Sets the mean {@code actualDuration} of completed jobs, if any completed.
     *
     * @param averageDuration the value, or {@code null}
     * @return this builder
     */
    public Builder averageDuration(@Nullable Duration averageDuration) {
      this.averageDuration = averageDuration;
      return this;
    }

    /**
     * Sets the median of it.
     *
     * @param p50Duration the value, or {@code null}
     * @return this builder
     */
    public Builder p50Duration(@Nullable Duration p50Duration) {
      this.p50Duration = p50Duration;
      return this;
    }

    /**
     * Sets its 95th percentile.
     *
     * @param p95Duration the value, or {@code null}
     * @return this builder
     */
    public Builder p95Duration(@Nullable Duration p95Duration) {
      this.p95Duration = p95Duration;
      return this;
    }

    /**
     * Sets its 99th percentile.
     *
     * @param p99Duration the value, or {@code null}
     * @return this builder
     */
    public Builder p99Duration(@Nullable Duration p99Duration) {
      this.p99Duration = p99Duration;
      return this;
    }

    /**
     * {@return the jobStats}
     *
     * @throws IllegalArgumentException a required value is missing or out of range
     */
    public JobStats build() {
      return new JobStats(this);
    }
  }

  /** {@return all jobs counted} */
  public long total() {
    return pending + processing + completed + failed + cancelled;
  }

  /**
   * Completed divided by finished-and-not-cancelled (completed + failed); {@code null} when none
   * has finished yet.
   *
   * @return the success rate between 0 and 1, or {@code null}
   */
  public @Nullable Double successRate() {
    long done = completed + failed;
    return done == 0 ? null : (double) completed / done;
  }
}
