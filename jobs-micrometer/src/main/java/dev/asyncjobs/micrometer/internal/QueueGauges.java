package dev.asyncjobs.micrometer.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.QueueStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The queue gauges of one {@link JobManager}: per type, pending, due and running jobs and the age
 * of the oldest due job, from {@link JobManager#queueStats()}.
 *
 * <p>That read visits every unfinished job, so it is a {@link CachedRead}: at most one per refresh
 * interval, never in a scrape's way. A type that had unfinished jobs and has none now is absent
 * from the read: its gauges show 0. A store without {@code STATISTICS}: no gauge, one INFO line.
 */
public final class QueueGauges {
  /** Name of the pending gauge. */
  public static final String PENDING = "asyncjobs.jobs.pending";
  /** Name of the due gauge. */
  public static final String DUE = "asyncjobs.jobs.due";
  /** Name of the running gauge. */
  public static final String RUNNING = "asyncjobs.jobs.running";
  /** Name of the oldest due age gauge. */
  public static final String OLDEST_DUE_AGE = "asyncjobs.queue.oldest.due.age";

  private static final CachedRead.Subject SUBJECT =
      new CachedRead.Subject("queue statistics", "queue gauges", List.of(PENDING, DUE, RUNNING, OLDEST_DUE_AGE));

  private final JobManager manager;
  private final Clock clock;
  private final MeterRegistry registry;
  private final MeterStyle style;
  private final CachedRead<Map<String, QueueStats>> read;
  private final Set<String> registered = ConcurrentHashMap.newKeySet();

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
    this.clock = manager.clock();
    this.registry = registry;
    this.style = style;
    this.read = new CachedRead<>(SUBJECT, clock, interval, executor, Map.of(), this::readByType, this::arrived);
  }

  /** {@return the manager read} */
  public JobManager manager() {
    return manager;
  }

  /** Starts the first read; the gauges are registered when it succeeds. */
  public void start() {
    read.start();
  }

  private Map<String, QueueStats> readByType() {
    Map<String, QueueStats> byType = new HashMap<>();
    for (QueueStats s : manager.queueStats()) {
      byType.put(s.type(), s);
    }
    return Map.copyOf(byType);
  }

  /** The manager's own types have gauges from the first read on, so that dashboards find a 0. */
  private void arrived(Map<String, QueueStats> byType) {
    manager.types().forEach(this::register);
    byType.keySet().forEach(this::register);
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
        type, s -> Seconds.of(s.oldestDueAge(clock.instant())), "seconds");
  }

  private void gauge(String name, String description, Tags tags, String type, ToDoubleFunction<QueueStats> value,
      @Nullable String unit) {
    style.gauge(registry, name, description, tags, unit, () -> {
      QueueStats s = read.current().get(type);
      return s == null ? 0 : value.applyAsDouble(s);
    });
  }
}
