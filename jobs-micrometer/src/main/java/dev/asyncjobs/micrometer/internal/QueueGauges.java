package dev.asyncjobs.micrometer.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.UnsupportedCapabilityException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue gauges of one {@link JobManager}: per type, pending, due and running jobs and the age
 * of the oldest due job, from {@link JobManager#queueStats()}.
 *
 * <p>That read visits every unfinished job, so it is cached: a gauge read (a scrape) asks for a
 * new read only when the last one started at least the refresh interval ago, the read runs on the
 * refresh executor, and the gauge answers at once with what the last successful read found. So the
 * store is read at most once per interval, however many gauges and scrapes there are, and a slow
 * or failing store never holds a scrape up. A type that had unfinished jobs and has none now is
 * absent from the read: its gauges show 0. A store without {@code STATISTICS} is found out at the
 * first read: then no gauge is registered, and one INFO line says so.
 */
public final class QueueGauges {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.micrometer.JobMetrics");

  /** Name of the pending gauge. */
  public static final String PENDING = "asyncjobs.jobs.pending";
  /** Name of the due gauge. */
  public static final String DUE = "asyncjobs.jobs.due";
  /** Name of the running gauge. */
  public static final String RUNNING = "asyncjobs.jobs.running";
  /** Name of the oldest due age gauge. */
  public static final String OLDEST_DUE_AGE = "asyncjobs.queue.oldest.due.age";

  private final JobManager manager;
  private final Duration interval;
  private final Clock clock;
  private final Executor executor;
  private final MeterRegistry registry;
  private final MeterStyle style;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final Set<String> registered = ConcurrentHashMap.newKeySet();
  private volatile @Nullable Instant lastStart;
  private volatile Map<String, QueueStats> latest = Map.of();
  private volatile boolean unsupported;
  private volatile boolean failing;

  /**
   * Gauges of {@code manager}'s queue, not yet registered nor read (see {@link #start()}).
   *
   * @param manager whose {@code queueStats()} to read
   * @param interval the least time between two reads
   * @param executor runs the reads
   * @param registry where the gauges go
   * @param style their common tags
   */
  public QueueGauges(JobManager manager, Duration interval, Executor executor, MeterRegistry registry, MeterStyle style) {
    this.manager = manager;
    this.interval = interval;
    this.clock = manager.clock();
    this.executor = executor;
    this.registry = registry;
    this.style = style;
  }

  /** {@return the manager read} */
  public JobManager manager() {
    return manager;
  }

  /** Starts the first read; the gauges are registered when it succeeds. */
  public void start() {
    requestRefresh();
  }

  /** Starts a read on the executor unless one runs or the last started less than the interval ago. */
  void requestRefresh() {
    if (unsupported || !due(clock.instant())) {
      return;
    }
    if (!refreshing.compareAndSet(false, true)) {
      return;
    }
    Instant now = clock.instant();
    // Checked again holding the flag: a read may have started and ended since the check above.
    if (!due(now)) {
      refreshing.set(false);
      return;
    }
    lastStart = now;
    try {
      executor.execute(this::refresh);
    } catch (RejectedExecutionException e) {
      refreshing.set(false);
      LOG.warn("the queue gauges' refresh executor refused a read; the gauges keep their last values: {}", e.toString());
    }
  }

  private boolean due(Instant now) {
    Instant last = lastStart;
    if (last == null) {
      return true;
    }
    Duration since = Duration.between(last, now);
    // A clock set back counts as due, or the gauges would freeze until it caught up.
    return since.isNegative() || since.compareTo(interval) >= 0;
  }

  private void refresh() {
    try {
      List<QueueStats> stats = manager.queueStats();
      Map<String, QueueStats> byType = new HashMap<>();
      for (QueueStats s : stats) {
        byType.put(s.type(), s);
      }
      latest = Map.copyOf(byType);
      if (failing) {
        failing = false;
        LOG.info("queue statistics readable again; the queue gauges are current");
      }
      manager.types().forEach(this::register);
      byType.keySet().forEach(this::register);
    } catch (UnsupportedCapabilityException e) {
      unsupported = true;
      LOG.info("the job store does not declare STATISTICS, so JobMetrics registers no queue gauges ({}, {}, {}, {});"
          + " its counters and timers work as usual", PENDING, DUE, RUNNING, OLDEST_DUE_AGE);
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("reading the queue statistics failed; the queue gauges keep the last values read until a read succeeds: {}",
            e.toString());
      } else {
        LOG.debug("reading the queue statistics failed again: {}", e.toString());
      }
    } finally {
      refreshing.set(false);
    }
  }

  private void register(String type) {
    if (!registered.add(type)) {
      return;
    }
    Tags tags = style.tags("type", type);
    gauge(PENDING, "Jobs of the type waiting in the queue, due or scheduled later (whole queue, every process)", tags,
        type, QueueStats::pending, null);
    gauge(DUE, "Pending jobs of the type whose run time has come (whole queue, every process)", tags,
        type, QueueStats::due, null);
    gauge(RUNNING, "Jobs of the type running on any worker (whole queue, every process)", tags,
        type, QueueStats::running, null);
    gauge(OLDEST_DUE_AGE, "How long the oldest due job of the type has waited (whole queue, every process)", tags,
        type, s -> seconds(s.oldestDueAge(clock.instant())), "seconds");
  }

  private void gauge(String name, String description, Tags tags, String type, ToDoubleFunction<QueueStats> value,
      @Nullable String unit) {
    Gauge.Builder<QueueGauges> b =
        Gauge.builder(name, this, g -> g.read(type, value)).description(description).tags(tags).strongReference(true);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private double read(String type, ToDoubleFunction<QueueStats> value) {
    requestRefresh();
    QueueStats s = latest.get(type);
    return s == null ? 0 : value.applyAsDouble(s);
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  /** {@return whether the store was found to lack statistics} */
  public boolean unsupported() {
    return unsupported;
  }
}
