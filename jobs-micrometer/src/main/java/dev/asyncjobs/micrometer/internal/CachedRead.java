package dev.asyncjobs.micrometer.internal;

import dev.asyncjobs.UnsupportedCapabilityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One costly read of the store that a set of gauges shows, cached: a gauge read (a scrape) asks
 * for a new read only when the last one started at least the refresh interval ago, the read runs
 * on the refresh executor, and the gauge answers at once with what the last successful read found.
 * So the store is read at most once per interval, however many gauges and scrapes there are, and a
 * slow or failing store never holds a scrape up.
 *
 * <p>A store without the capability the read needs is found out at the first read (the manager
 * throws {@link UnsupportedCapabilityException}): then nothing is read again, the gauges are
 * never registered, and one INFO line says so. A failing read keeps the last value: one WARN line,
 * then DEBUG until a read succeeds.
 *
 * @param <T> what one read finds
 */
public final class CachedRead<T> {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.micrometer.JobMetrics");

  /**
   * What the log lines call the read and its gauges.
   *
   * @param read what is read, e.g. {@code queue statistics}
   * @param gauges the gauges, e.g. {@code queue gauges}
   * @param meters their meter names, for the line that says they are not registered
   */
  public record Subject(String read, String gauges, List<String> meters) {}

  private final Subject subject;
  private final Clock clock;
  private final Duration interval;
  private final Executor executor;
  private final Supplier<T> read;
  private final Consumer<T> arrived;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile @Nullable Instant lastStart;
  private volatile T latest;
  private volatile boolean unsupported;
  private volatile boolean failing;

  /**
   * A read not yet made (see {@link #start()}).
   *
   * @param subject what the log lines call it
   * @param clock decides when the interval has passed (the manager's)
   * @param interval the least time between two reads
   * @param executor runs the reads
   * @param empty the value before the first successful read
   * @param read reads the store; throws {@link UnsupportedCapabilityException} when it cannot
   * @param arrived called on the executor with each successful read, after it became the latest
   *     (to register the gauges of what it found)
   */
  public CachedRead(Subject subject, Clock clock, Duration interval, Executor executor, T empty, Supplier<T> read,
      Consumer<T> arrived) {
    this.subject = subject;
    this.clock = clock;
    this.interval = interval;
    this.executor = executor;
    this.latest = empty;
    this.read = read;
    this.arrived = arrived;
  }

  /** Starts the first read (or a new one, when the interval has passed). */
  public void start() {
    requestRefresh();
  }

  /** {@return what the last successful read found; starts a new read when one is due} */
  public T current() {
    requestRefresh();
    return latest;
  }

  /** Starts a read on the executor unless one runs or the last started less than the interval ago. */
  private void requestRefresh() {
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
      LOG.warn("the {}' refresh executor refused a read; the gauges keep their last values: {}", subject.gauges(), e.toString());
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
      T found = read.get();
      latest = found;
      if (failing) {
        failing = false;
        LOG.info("{} readable again; the {} are current", subject.read(), subject.gauges());
      }
      arrived.accept(found);
    } catch (UnsupportedCapabilityException e) {
      unsupported = true;
      LOG.info("the job store does not declare {}, so JobMetrics registers no {} ({}); its other meters work as usual",
          e.capability(), subject.gauges(), String.join(", ", subject.meters()));
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("reading the {} failed; the {} keep the last values read until a read succeeds: {}", subject.read(),
            subject.gauges(), e.toString());
      } else {
        LOG.debug("reading the {} failed again: {}", subject.read(), e.toString());
      }
    } finally {
      refreshing.set(false);
    }
  }
}
