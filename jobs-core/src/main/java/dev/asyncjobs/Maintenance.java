package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The housekeeping that workers run by themselves: deleting finished jobs past their retention
 * (and, on the way, the quota, limit and budget records no window counts any more) and pruning the
 * event log past the {@linkplain JobManager.Builder#eventRetention event retention}. On a store
 * with {@link dev.asyncjobs.spi.StoreCapability#SCHEDULES} it runs once per interval for all the
 * workers sharing the store; on another, each worker runs it on its own. Each run deletes in
 * bounded batches and stops after {@link #maxBatches()} of each kind; the next run goes on. Immutable.
 *
 * <pre>{@code
 * JobWorker.builder(jobs).maintenance(Maintenance.builder().finishedJobRetention(Duration.ofDays(30)).build())
 * }</pre>
 *
 * <p>Defaults: every minute, finished jobs kept {@value #DEFAULT_RETENTION_DAYS} days, batches of
 * {@value #DEFAULT_BATCH_SIZE}, at most {@value #DEFAULT_MAX_BATCHES} batches of each kind per run.
 */
public final class Maintenance {
  /** The default retention of finished jobs, in days. */
  public static final int DEFAULT_RETENTION_DAYS = 7;
  /** The default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 1000;
  /** The default number of batches of each kind per run. */
  public static final int DEFAULT_MAX_BATCHES = 10;

  private static final Maintenance DEFAULTS = builder().build();
  private static final Maintenance OFF = builder().enabled(false).build();

  private final boolean enabled;
  private final Duration interval;
  private final @Nullable Duration finishedJobRetention;
  private final int batchSize;
  private final int maxBatches;

  private Maintenance(Builder b) {
    this.enabled = b.enabled;
    this.interval = b.interval;
    this.finishedJobRetention = b.finishedJobRetention;
    this.batchSize = b.batchSize;
    this.maxBatches = b.maxBatches;
  }

  /** {@return the defaults: on, every minute, finished jobs kept seven days} */
  public static Maintenance defaults() {
    return DEFAULTS;
  }

  /** {@return no maintenance: nothing is deleted unless the application calls {@link JobManager#cleanup} and {@link JobManager#pruneEvents}} */
  public static Maintenance disabled() {
    return OFF;
  }

  /** {@return a builder starting from the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return whether it runs} */
  public boolean enabled() {
    return enabled;
  }

  /** {@return how often it runs} */
  public Duration interval() {
    return interval;
  }

  /** {@return how long a finished job is kept; empty: for ever} */
  public Optional<Duration> finishedJobRetention() {
    return Optional.ofNullable(finishedJobRetention);
  }

  /** {@return the most rows one delete statement removes} */
  public int batchSize() {
    return batchSize;
  }

  /** {@return the most batches of each kind one run deletes} */
  public int maxBatches() {
    return maxBatches;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Maintenance m && enabled == m.enabled && interval.equals(m.interval)
        && Objects.equals(finishedJobRetention, m.finishedJobRetention) && batchSize == m.batchSize
        && maxBatches == m.maxBatches;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, interval, finishedJobRetention, batchSize, maxBatches);
  }

  @Override
  public String toString() {
    return enabled
        ? "Maintenance[every " + interval + ", finished jobs kept " + (finishedJobRetention == null ? "for ever" : finishedJobRetention)
            + ", batches of " + batchSize + " up to " + maxBatches + "]"
        : "Maintenance[off]";
  }

  /** Builds {@link Maintenance}; every setter checks its argument. */
  public static final class Builder {
    private boolean enabled = true;
    private Duration interval = Duration.ofMinutes(1);
    private @Nullable Duration finishedJobRetention = Duration.ofDays(DEFAULT_RETENTION_DAYS);
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int maxBatches = DEFAULT_MAX_BATCHES;

    private Builder() {}

    /**
     * Whether it runs; default on.
     *
     * @param on whether it runs
     * @return this builder
     */
    public Builder enabled(boolean on) {
      this.enabled = on;
      return this;
    }

    /**
     * How often it runs; default one minute.
     *
     * @param every at least one second, at most a day, in whole milliseconds
     * @return this builder
     * @throws JobConfigurationException out of range
     */
    public Builder interval(Duration every) {
      Objects.requireNonNull(every, "every");
      if (every.compareTo(Duration.ofSeconds(1)) < 0 || every.compareTo(Duration.ofDays(1)) > 0 || every.getNano() % 1_000_000 != 0) {
        throw new JobConfigurationException("maintenance interval is 1 s to 1 day in whole milliseconds, was " + every);
      }
      this.interval = every;
      return this;
    }

    /**
     * How long a finished (COMPLETED, FAILED or CANCELLED) job is kept; default seven days.
     *
     * @param retention at least one minute, or {@code null} to keep finished jobs for ever
     * @return this builder
     * @throws JobConfigurationException shorter than a minute
     */
    public Builder finishedJobRetention(@Nullable Duration retention) {
      if (retention != null && retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new JobConfigurationException("finishedJobRetention must be at least 1 minute (or null: for ever), was " + retention);
      }
      this.finishedJobRetention = retention;
      return this;
    }

    /**
     * The most rows one delete statement removes; default {@value Maintenance#DEFAULT_BATCH_SIZE}.
     *
     * @param size 1-100,000
     * @return this builder
     * @throws JobConfigurationException out of range
     */
    public Builder batchSize(int size) {
      if (size < 1 || size > 100_000) {
        throw new JobConfigurationException("maintenance batchSize is 1-100000, was " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * The most batches of each kind one run deletes; default {@value Maintenance#DEFAULT_MAX_BATCHES}.
     *
     * @param batches 1-1,000
     * @return this builder
     * @throws JobConfigurationException out of range
     */
    public Builder maxBatches(int batches) {
      if (batches < 1 || batches > 1000) {
        throw new JobConfigurationException("maintenance maxBatches is 1-1000, was " + batches);
      }
      this.maxBatches = batches;
      return this;
    }

    /** {@return the settings} */
    public Maintenance build() {
      return new Maintenance(this);
    }
  }
}
