package dev.asyncjobs.micrometer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counters and timers of one job type, all registered together when the type is first seen,
 * so that a dashboard finds a zero rather than no series for what has not happened yet.
 */
public final class TypeMeters {
  /** Name of the attempt timer. */
  public static final String ATTEMPT_DURATION = "asyncjobs.attempt.duration";
  /** Name of the queue wait timer. */
  public static final String QUEUE_WAIT = "asyncjobs.queue.wait";

  private final Map<Counted, Counter> counters = new EnumMap<>(Counted.class);
  private final Map<AttemptOutcome, Timer> attempts = new EnumMap<>(AttemptOutcome.class);
  private final Timer queueWait;

  /**
   * Registers the meters of {@code type} in {@code registry}.
   *
   * @param registry where
   * @param type the job type (the {@code type} tag)
   * @param style common tags, percentiles and histogram
   */
  public TypeMeters(MeterRegistry registry, String type, MeterStyle style) {
    Tags tags = style.tags("type", type);
    for (Counted c : Counted.values()) {
      counters.put(c, style.counter(registry, c.meterName(), c.description(), tags));
    }
    for (AttemptOutcome o : AttemptOutcome.values()) {
      attempts.put(o, style.timer(registry, ATTEMPT_DURATION,
          "Run time of attempts on this process's workers, by how they ended", tags.and("outcome", o.tag())));
    }
    queueWait = style.timer(registry, QUEUE_WAIT,
        "Time from when a job became due (its run time, or its creation if later) to when an attempt started on this process",
        tags);
  }

  /**
   * Counts one event.
   *
   * @param what the event
   */
  public void count(Counted what) {
    counters.get(what).increment();
  }

  /**
   * Records an attempt's run time.
   *
   * @param outcome how it ended
   * @param duration how long it ran
   */
  public void attempt(AttemptOutcome outcome, Duration duration) {
    attempts.get(outcome).record(duration);
  }

  /**
   * Records how long a job waited for its attempt.
   *
   * @param wait the wait
   */
  public void queueWait(Duration wait) {
    queueWait.record(wait);
  }
}
