package dev.asyncjobs.micrometer;

import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.micrometer.internal.AttemptOutcome;
import dev.asyncjobs.micrometer.internal.AttemptTimes;
import dev.asyncjobs.micrometer.internal.Counted;
import dev.asyncjobs.micrometer.internal.LimitGauges;
import dev.asyncjobs.micrometer.internal.MeterStyle;
import dev.asyncjobs.micrometer.internal.QueueGauges;
import dev.asyncjobs.micrometer.internal.TypeMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of asyncjobs: counters and timers of what this process does to jobs, and
 * gauges of the queue and of the limits. One object, registered in three places:
 *
 * <ul>
 *   <li>as a {@link CreateInterceptor} of the {@link JobManager} ({@link
 *       JobManager.Builder#interceptor}), to count creates;
 *   <li>as a {@link WorkerListener} of each {@link JobWorker} ({@link JobWorker.Builder#listener}),
 *       to count and time attempts;
 *   <li>as a Micrometer {@link MeterBinder}: {@link #bindTo(MeterRegistry)}, which Spring Boot
 *       calls for a {@code MeterBinder} bean.
 * </ul>
 *
 * <p>The gauges read {@link JobManager#queueStats()} and, on a store with limits, {@link
 * JobManager#limits()}. Since the manager is usually built with this
 * object as its interceptor, it is given after it is built, with {@link #monitor(JobManager)};
 * when it exists already, {@link Builder#manager(JobManager)} does the same.
 *
 * <p>Counters and timers count what this process did itself (the jobs it created, the attempts
 * its workers ran), never the cluster-wide event log that every process sees: summed over
 * processes they count each event once. Gauges describe the whole store and read the same on every
 * process (aggregate them with max, not sum). Meters are recorded from the moment the first
 * registry is bound: bind before starting the worker. The meters and their tags are listed in
 * {@code docs/metrics.md}.
 *
 * <p>Thread-safe; the listener and interceptor methods are quick and never throw for a well-formed
 * job.
 */
public final class JobMetrics implements CreateInterceptor, WorkerListener, MeterBinder {
  /** The default {@linkplain Builder#refreshInterval(Duration) refresh interval} of the gauges: 10 seconds. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

  /** Name of the store error counter. */
  static final String STORE_ERRORS = "asyncjobs.store.errors";

  /** Tag keys of this module's own, which common tags must not reuse. */
  private static final Set<String> OWN_TAGS = Set.of("type", "outcome", "operation", "limit");

  /** Every meter is registered here; each bound registry is one of its children. */
  private final CompositeMeterRegistry meters = new CompositeMeterRegistry();

  private final MeterStyle style;
  private final Duration refreshInterval;
  private final @Nullable Executor refreshExecutor;
  private final ConcurrentMap<String, TypeMeters> types = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> storeErrors = new ConcurrentHashMap<>();
  private final AttemptTimes attempts = new AttemptTimes(System::nanoTime);
  private @Nullable Gauges gauges;
  private boolean bound;

  private JobMetrics(Builder b) {
    this.style = new MeterStyle(b.commonTags, b.percentiles, b.histogram);
    this.refreshInterval = b.refreshInterval;
    this.refreshExecutor = b.refreshExecutor;
  }

  /** {@return a builder with the defaults: gauges refreshed every 10 s, no common tags, no percentiles, no histogram} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the queue and limit gauges from {@code manager}. Call it once, after building the
   * manager with this object as its {@linkplain JobManager.Builder#interceptor interceptor}; the
   * gauges appear after the first read that follows both this call and {@link #bindTo}. The
   * counters of the manager's types are registered at once (at zero). Calling it again with the
   * same manager does nothing.
   *
   * @param manager the manager whose {@link JobManager#queueStats()} and {@link
   *     JobManager#limits()} the gauges show
   * @throws JobConfigurationException {@code manager} is null, or this object monitors another one
   */
  public void monitor(JobManager manager) {
    if (manager == null) {
      throw new JobConfigurationException("manager must not be null: JobMetrics reads its queueStats() for the queue gauges");
    }
    Gauges start;
    synchronized (this) {
      if (gauges != null) {
        if (gauges.manager() == manager) {
          return;
        }
        throw new JobConfigurationException("this JobMetrics already monitors " + gauges.manager()
            + ", so it cannot monitor " + manager + " too: build one JobMetrics per JobManager");
      }
      Executor executor = refreshExecutor != null ? refreshExecutor : newRefreshExecutor();
      gauges = new Gauges(manager, new QueueGauges(manager, refreshInterval, executor, meters, style),
          new LimitGauges(manager, refreshInterval, executor, meters, style));
      start = bound ? gauges : null;
    }
    manager.types().forEach(this::meters);
    if (start != null) {
      start.start();
    }
  }

  /**
   * Adds {@code registry} to the registries this object records in (a Micrometer {@link
   * MeterBinder}). Every meter registered so far appears in it, at zero; binding several
   * registries records in each. Once a manager is {@linkplain #monitor monitored}, the first read
   * of the queue and of the limits starts here (on the refresh executor).
   *
   * @param registry where the meters go
   * @throws JobConfigurationException {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    if (registry == null) {
      throw new JobConfigurationException("registry must not be null");
    }
    Gauges start;
    synchronized (this) {
      meters.add(registry);
      bound = true;
      start = gauges;
    }
    if (start != null) {
      start.start();
    }
  }

  /** {@return the least time between two reads of the queue (or of the limits) for the gauges} */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  /** {@return the tags added to every meter} */
  public Tags commonTags() {
    return style.commonTags();
  }

  // ---- CreateInterceptor ----

  /** Counts {@code asyncjobs.jobs.submitted} for each new job (not for the earlier jobs an idempotent replay returns). */
  @Override
  public void afterCreate(List<Job> created) {
    for (Job job : created) {
      meters(job.type()).count(Counted.CREATED);
    }
  }

  // ---- WorkerListener ----

  /** Counts {@code asyncjobs.jobs.started}, times {@code asyncjobs.queue.wait} and notes when the attempt started. */
  @Override
  public void onStarted(Job job) {
    attempts.started(job);
    TypeMeters m = meters(job.type());
    m.count(Counted.STARTED);
    Duration wait = queueWait(job);
    if (wait != null) {
      m.queueWait(wait);
    }
  }

  /** Counts {@code asyncjobs.jobs.completed} and times the attempt ({@code outcome=completed}) by its run time. */
  @Override
  public void onCompleted(Job job, Duration duration) {
    attempts.forget(job);
    TypeMeters m = meters(job.type());
    m.count(Counted.COMPLETED);
    m.attempt(AttemptOutcome.COMPLETED, duration);
  }

  /** Counts {@code asyncjobs.jobs.retried} and times the attempt ({@code outcome=retried}), unless it timed out. */
  @Override
  public void onRetryScheduled(Job job, Throwable error, Duration delay) {
    ended(job, Counted.RETRIED, AttemptOutcome.RETRIED);
  }

  /** Counts {@code asyncjobs.jobs.failed} and times the attempt ({@code outcome=failed}), unless it timed out. */
  @Override
  public void onFailed(Job job, Throwable error) {
    ended(job, Counted.FAILED, AttemptOutcome.FAILED);
  }

  /** Counts {@code asyncjobs.jobs.cancelled} and times the attempt ({@code outcome=cancelled}). */
  @Override
  public void onCancelled(Job job) {
    ended(job, Counted.CANCELLED, AttemptOutcome.CANCELLED);
  }

  /**
   * Counts {@code asyncjobs.jobs.timed.out} and times the attempt ({@code outcome=timed_out}); the
   * retry or failure reported next is counted too, but not timed again.
   */
  @Override
  public void onTimedOut(Job job, Duration timeout) {
    ended(job, Counted.TIMED_OUT, AttemptOutcome.TIMED_OUT);
  }

  /** Counts {@code asyncjobs.jobs.lease.lost}; the attempt is not timed (its end was never written). */
  @Override
  public void onLeaseLost(Job job) {
    attempts.forget(job);
    meters(job.type()).count(Counted.LEASE_LOST);
  }

  /** Counts {@code asyncjobs.jobs.released}; the attempt is not timed (it does not count as one). */
  @Override
  public void onReleased(Job job) {
    attempts.forget(job);
    meters(job.type()).count(Counted.RELEASED);
  }

  /**
   * Counts {@code asyncjobs.jobs.rescued}, and {@code asyncjobs.jobs.failed} or {@code
   * asyncjobs.jobs.cancelled} too when the rescue ended the job (no attempt left, or a cancel
   * requested): this process made that final change.
   */
  @Override
  public void onRescued(Job job) {
    attempts.forget(job);
    TypeMeters m = meters(job.type());
    m.count(Counted.RESCUED);
    if (job.status() == JobStatus.FAILED) {
      m.count(Counted.FAILED);
    } else if (job.status() == JobStatus.CANCELLED) {
      m.count(Counted.CANCELLED);
    }
  }

  /**
   * Counts {@code asyncjobs.jobs.rate.limited}: once per refused attempt, whatever the number of
   * names it backs off. The attempt's own outcome is counted too (usually {@code retried}).
   */
  @Override
  public void onRateLimited(Job job, Set<String> names, Instant until) {
    meters(job.type()).count(Counted.RATE_LIMITED);
  }

  /** Counts {@code asyncjobs.store.errors} with the tag {@code operation} (e.g. {@code claim}, {@code heartbeat}). */
  @Override
  public void onStoreError(String operation, RuntimeException error) {
    storeErrors.computeIfAbsent(operation, op -> style.counter(meters, STORE_ERRORS,
        "Failed store calls of this process's workers, by operation", style.tags("operation", op))).increment();
  }

  @Override
  public String toString() {
    return "JobMetrics[refreshInterval=" + refreshInterval + ", " + style + "]";
  }

  // ---- internals ----

  /** The gauges of the monitored manager: its queue and its limits, read on the same executor. */
  private record Gauges(JobManager manager, QueueGauges queue, LimitGauges limits) {
    void start() {
      queue.start();
      limits.start();
    }
  }

  private void ended(Job job, Counted counted, AttemptOutcome outcome) {
    TypeMeters m = meters(job.type());
    m.count(counted);
    Duration ran = attempts.ended(job);
    if (ran != null) {
      m.attempt(outcome, ran);
    }
  }

  private TypeMeters meters(String type) {
    TypeMeters m = types.get(type);
    return m != null ? m : types.computeIfAbsent(type, t -> new TypeMeters(meters, t, style));
  }

  /** From when the job became due (its run time, or its creation when that is later) to the attempt's start. */
  private static @Nullable Duration queueWait(Job job) {
    Instant startedAt = job.startedAt();
    if (startedAt == null) {
      return null;
    }
    Instant due = job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    Duration wait = Duration.between(due, startedAt);
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  /**
   * One daemon thread, started for the first read and ended after a minute without one, so that
   * nothing is left to close when the application stops.
   */
  private static Executor newRefreshExecutor() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "asyncjobs-metrics-refresh");
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Builds a {@link JobMetrics}; each setter checks its value and throws {@link
   * JobConfigurationException} naming the setting and the value, leaving the builder as it was.
   */
  public static final class Builder {
    private @Nullable JobManager manager;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private Tags commonTags = Tags.empty();
    private double[] percentiles = {};
    private boolean histogram;
    private @Nullable Executor refreshExecutor;

    private Builder() {}

    /**
     * The manager whose queue and limits the gauges show, when it exists already; else call {@link
     * JobMetrics#monitor(JobManager)} once it is built. Without either there are no gauges.
     *
     * @param manager the manager
     * @return this builder
     * @throws JobConfigurationException {@code manager} is null
     */
    public Builder manager(JobManager manager) {
      if (manager == null) {
        throw new JobConfigurationException("manager must not be null: JobMetrics reads its queueStats() for the queue gauges");
      }
      this.manager = manager;
      return this;
    }

    /**
     * The least time between two reads of {@link JobManager#queueStats()}, which visits every
     * unfinished job, and between two reads of {@link JobManager#limits()}, which counts the jobs
     * under each limit; a scrape in between is answered from the last read. Default 10 seconds.
     *
     * @param interval positive
     * @return this builder
     * @throws JobConfigurationException {@code interval} is null, zero or negative
     */
    public Builder refreshInterval(Duration interval) {
      if (interval == null || interval.isZero() || interval.isNegative()) {
        throw new JobConfigurationException("refreshInterval must be positive, was " + interval);
      }
      this.refreshInterval = interval;
      return this;
    }

    /**
     * Adds a tag to every meter (e.g. {@code application=render-farm}); with Spring Boot, prefer
     * {@code management.metrics.tags.*}, which tags every meter of the application.
     *
     * @param key the tag key; not blank, and not {@code type}, {@code outcome}, {@code operation}
     *     or {@code limit}
     * @param value the tag value
     * @return this builder
     * @throws JobConfigurationException the key is null, blank or one of this module's own, or the value is null
     */
    public Builder commonTag(String key, String value) {
      checkTag(key, value);
      this.commonTags = commonTags.and(key, value);
      return this;
    }

    /**
     * Adds tags to every meter, as {@link #commonTag} does for each.
     *
     * @param tags the tags
     * @return this builder
     * @throws JobConfigurationException {@code tags} is null, or one is refused by {@link #commonTag}
     */
    public Builder commonTags(Iterable<Tag> tags) {
      if (tags == null) {
        throw new JobConfigurationException("commonTags must not be null");
      }
      Tags all = commonTags;
      for (Tag t : tags) {
        if (t == null) {
          throw new JobConfigurationException("commonTags must not contain null, was " + tags);
        }
        checkTag(t.getKey(), t.getValue());
        all = all.and(t);
      }
      this.commonTags = all;
      return this;
    }

    private static void checkTag(@Nullable String key, @Nullable String value) {
      if (key == null || key.isBlank()) {
        throw new JobConfigurationException("a common tag key must not be blank, was " + (key == null ? "null" : "'" + key + "'"));
      }
      if (OWN_TAGS.contains(key)) {
        throw new JobConfigurationException("common tag '" + key + "' is one of JobMetrics' own tags " + OWN_TAGS + ": choose another key");
      }
      if (value == null) {
        throw new JobConfigurationException("common tag '" + key + "' must have a value, was null");
      }
    }

    /**
     * Client-side percentiles of the timers ({@code asyncjobs.attempt.duration}, {@code
     * asyncjobs.queue.wait}), e.g. {@code 0.5, 0.95, 0.99}; none by default. Calling it with none
     * turns them off. Percentiles computed in the process cannot be aggregated across processes:
     * for that use {@link #histogram(boolean)}.
     *
     * @param percentiles each above 0 and at most 1
     * @return this builder
     * @throws JobConfigurationException {@code percentiles} is null or one is out of range
     */
    public Builder percentiles(double... percentiles) {
      if (percentiles == null) {
        throw new JobConfigurationException("percentiles must not be null (call percentiles() with none to turn them off)");
      }
      for (double p : percentiles) {
        if (!(p > 0 && p <= 1)) {
          throw new JobConfigurationException("each percentile must be above 0 and at most 1, was " + p
              + " in " + Arrays.toString(percentiles));
        }
      }
      this.percentiles = percentiles.clone();
      return this;
    }

    /**
     * Whether the timers publish histogram buckets (for {@code histogram_quantile} in Prometheus,
     * which aggregates across processes), with buckets up to one hour; off by default.
     *
     * @param enabled on or off
     * @return this builder
     */
    public Builder histogram(boolean enabled) {
      this.histogram = enabled;
      return this;
    }

    /**
     * Where the reads of the queue and of the limits run; default one daemon thread of this
     * object's own. A gauge never waits for a read, unless this executor runs it on the calling
     * thread (as {@code Runnable::run} does, which suits tests).
     *
     * @param executor runs the reads
     * @return this builder
     * @throws JobConfigurationException {@code executor} is null
     */
    public Builder refreshExecutor(Executor executor) {
      if (executor == null) {
        throw new JobConfigurationException("refreshExecutor must not be null");
      }
      this.refreshExecutor = executor;
      return this;
    }

    /** {@return the metrics, monitoring the {@linkplain #manager manager} if one was given} */
    public JobMetrics build() {
      JobMetrics metrics = new JobMetrics(this);
      if (manager != null) {
        metrics.monitor(manager);
      }
      return metrics;
    }
  }
}
