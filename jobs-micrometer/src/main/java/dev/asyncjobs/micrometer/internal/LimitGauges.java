package dev.asyncjobs.micrometer.internal;

import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.LimitStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The limit gauges of one {@link JobManager}: per limit name (a job type or resource that has
 * bounds, is paused or backs off), its use, pause, back-off and waiting jobs, and its bounds, from
 * {@link JobManager#limits()}.
 *
 * <p>That read counts the running and waiting jobs under each name, so it is a {@link CachedRead}:
 * at most one per refresh interval, never in a scrape's way. A name's gauges appear with the first
 * read that finds it; a bound's gauge with the first read that finds the bound set. A name absent
 * from a later read shows 0 in its use gauges and NaN in its bound gauges (no bound: 0 would read
 * as "nothing may run"), as does a bound removed since. A store without {@code LIMITS}: no gauge,
 * one INFO line.
 */
public final class LimitGauges {
  /** One gauge of every name, or of every name whose limit has that bound. */
  private enum Kind {
    RUNNING("asyncjobs.limit.running", "Attempts running under the limit name on any worker (whole store, every process)",
        null, false, (s, now) -> s.running()),
    WAITING("asyncjobs.limit.waiting", "PENDING jobs whose type or resources fall under the limit name (whole store, every process)",
        null, false, (s, now) -> s.waiting()),
    STARTS_IN_WINDOW("asyncjobs.limit.starts.in.window",
        "Attempts started under the limit name within its starts interval (whole store, every process)",
        null, false, (s, now) -> s.startsInWindow()),
    UNITS_IN_WINDOW("asyncjobs.limit.units.in.window",
        "Units reserved under the limit name within its units interval (whole store, every process)",
        null, false, (s, now) -> s.unitsInWindow()),
    PAUSED("asyncjobs.limit.paused", "1 while an operator has paused the limit name, else 0",
        null, false, (s, now) -> s.paused() ? 1 : 0),
    BACKOFF_REMAINING("asyncjobs.limit.backoff.remaining",
        "Time until claims under the limit name resume after a provider's rate limited; 0 when not backing off",
        "seconds", false, (s, now) -> backoffRemaining(s.backoffUntil(), now)),
    MAX_RUNNING("asyncjobs.limit.max.running", "The limit's bound on attempts running at once",
        null, true, (s, now) -> bound(s, l -> orNaN(l.maxRunning()))),
    MAX_STARTS("asyncjobs.limit.max.starts", "The limit's bound on attempts started per starts interval",
        null, true, (s, now) -> bound(s, l -> orNaN(l.maxStarts()))),
    MAX_UNITS("asyncjobs.limit.max.units", "The limit's bound on units reserved per units interval",
        null, true, (s, now) -> bound(s, l -> orNaN(l.maxUnits())));

    private final String meterName;
    private final String description;
    private final @Nullable String unit;
    /** Registered only once a read finds the bound set, so that an unset bound has no series. */
    private final boolean bound;
    private final Value value;

    Kind(String meterName, String description, @Nullable String unit, boolean bound, Value value) {
      this.meterName = meterName;
      this.description = description;
      this.unit = unit;
      this.bound = bound;
      this.value = value;
    }

    /** What the gauge reads when the last read did not find the name. */
    double absent() {
      return bound ? Double.NaN : 0;
    }
  }

  @FunctionalInterface
  private interface Value {
    double of(LimitStatus status, Instant now);
  }

  private static final CachedRead.Subject SUBJECT = new CachedRead.Subject("limits", "limit gauges",
      Arrays.stream(Kind.values()).map(k -> k.meterName).toList());

  private final Clock clock;
  private final MeterRegistry registry;
  private final MeterStyle style;
  private final CachedRead<Map<String, LimitStatus>> read;
  /** The gauges registered so far, one entry per name and kind. */
  private final Set<String> registered = ConcurrentHashMap.newKeySet();

  /**
   * Gauges of {@code manager}'s limits, not yet registered nor read (see {@link #start()}).
   *
   * @param manager whose {@code limits()} to read
   * @param interval the least time between two reads
   * @param executor runs the reads
   * @param registry where the gauges go
   * @param style their common tags
   */
  public LimitGauges(JobManager manager, Duration interval, Executor executor, MeterRegistry registry, MeterStyle style) {
    this.clock = manager.clock();
    this.registry = registry;
    this.style = style;
    this.read = new CachedRead<>(SUBJECT, clock, interval, executor, Map.of(), () -> byName(manager), this::arrived);
  }

  /** Starts the first read; the gauges are registered when it succeeds. */
  public void start() {
    read.start();
  }

  private static Map<String, LimitStatus> byName(JobManager manager) {
    Map<String, LimitStatus> byName = new HashMap<>();
    for (LimitStatus s : manager.limits()) {
      byName.put(s.name(), s);
    }
    return Map.copyOf(byName);
  }

  private void arrived(Map<String, LimitStatus> byName) {
    Instant now = clock.instant();
    byName.forEach((name, status) -> {
      for (Kind kind : Kind.values()) {
        if (!kind.bound || !Double.isNaN(kind.value.of(status, now))) {
          register(name, kind);
        }
      }
    });
  }

  private void register(String name, Kind kind) {
    // A limit name holds no whitespace (JobLimit.checkName), so a space separates the two safely.
    if (!registered.add(kind.meterName + " " + name)) {
      return;
    }
    Tags tags = style.tags("limit", name);
    style.gauge(registry, kind.meterName, kind.description, tags, kind.unit, () -> {
      LimitStatus s = read.current().get(name);
      // The back-off's remaining time is computed at each scrape, so it counts down between reads.
      return s == null ? kind.absent() : kind.value.of(s, clock.instant());
    });
  }

  private static double backoffRemaining(@Nullable Instant until, Instant now) {
    if (until == null || !until.isAfter(now)) {
      return 0;
    }
    return Seconds.of(Duration.between(now, until));
  }

  /** A bound of the name's limit, NaN when it has no limit or not that bound. */
  private static double bound(LimitStatus s, ToDoubleFunction<JobLimit> bound) {
    JobLimit limit = s.limit();
    return limit == null ? Double.NaN : bound.applyAsDouble(limit);
  }

  private static double orNaN(OptionalInt bound) {
    return bound.isPresent() ? bound.getAsInt() : Double.NaN;
  }

  private static double orNaN(OptionalLong bound) {
    return bound.isPresent() ? bound.getAsLong() : Double.NaN;
  }
}
