package dev.asyncjobs.micrometer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * How every meter of one {@code JobMetrics} is built: its common tags and its timers' percentiles
 * and histogram. Immutable.
 */
public final class MeterStyle {
  /**
   * The top of the timers' histogram buckets: attempts of AI generation run for minutes, past
   * Micrometer's default of 30 seconds, which would put them all in the last bucket.
   */
  static final Duration HISTOGRAM_MAX = Duration.ofHours(1);

  private final Tags commonTags;
  private final double[] percentiles;
  private final boolean histogram;

  /**
   * A style.
   *
   * @param commonTags added to every meter
   * @param percentiles the timers' client-side percentiles; empty for none
   * @param histogram whether the timers publish histogram buckets
   */
  public MeterStyle(Tags commonTags, double[] percentiles, boolean histogram) {
    this.commonTags = commonTags;
    this.percentiles = percentiles.clone();
    this.histogram = histogram;
  }

  /** {@return the tags of every meter} */
  public Tags commonTags() {
    return commonTags;
  }

  /**
   * {@return the common tags and {@code key=value}}
   *
   * @param key a tag of this meter
   * @param value its value
   */
  public Tags tags(String key, String value) {
    return commonTags.and(key, value);
  }

  /**
   * {@return a counter registered (or found) in {@code registry}}
   *
   * @param registry where
   * @param name the meter name
   * @param description its help text
   * @param tags its tags, the common ones included
   */
  public Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  /**
   * Registers a gauge that reads {@code value} at each scrape and holds it strongly (Micrometer
   * would otherwise let an unreferenced value be collected, and the gauge read NaN).
   *
   * @param registry where
   * @param name the meter name
   * @param description its help text
   * @param tags its tags, the common ones included
   * @param baseUnit its unit (e.g. {@code seconds}), or {@code null}
   * @param value what it reads
   */
  public void gauge(MeterRegistry registry, String name, String description, Tags tags, @Nullable String baseUnit,
      DoubleSupplier value) {
    Gauge.Builder<DoubleSupplier> b =
        Gauge.builder(name, value, DoubleSupplier::getAsDouble).description(description).tags(tags).strongReference(true);
    if (baseUnit != null) {
      b.baseUnit(baseUnit);
    }
    b.register(registry);
  }

  /**
   * {@return a timer with this style's percentiles and histogram, registered (or found) in {@code registry}}
   *
   * @param registry where
   * @param name the meter name
   * @param description its help text
   * @param tags its tags, the common ones included
   */
  public Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
    Timer.Builder b = Timer.builder(name).description(description).tags(tags);
    // Only what was asked for is set: "off" leaves the choice to the registry's own filters (a
    // Spring Boot management.metrics.distribution.* property still applies).
    if (percentiles.length > 0) {
      b.publishPercentiles(percentiles);
    }
    if (histogram) {
      b.publishPercentileHistogram(true).maximumExpectedValue(HISTOGRAM_MAX);
    }
    return b.register(registry);
  }

  @Override
  public String toString() {
    return "MeterStyle[tags=" + commonTags + ", percentiles=" + Arrays.toString(percentiles) + ", histogram=" + histogram + "]";
  }
}
