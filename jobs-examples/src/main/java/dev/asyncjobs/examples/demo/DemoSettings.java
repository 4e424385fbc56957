package dev.asyncjobs.examples.demo;

import dev.asyncjobs.JobConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * How the demo generators pace themselves.
 *
 * @param stepDelay the pause between two progress reports; a demo job takes 8–16 steps
 */
public record DemoSettings(Duration stepDelay) {

  /** A pace a person can watch: a few seconds per job. */
  public static final DemoSettings DEFAULT = new DemoSettings(Duration.ofMillis(400));

  /** Checks the delay. */
  public DemoSettings {
    Objects.requireNonNull(stepDelay, "stepDelay");
    if (stepDelay.isNegative() || stepDelay.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new JobConfigurationException("demo stepDelay must be 0 ms to 1 min, was " + stepDelay);
    }
  }

  /** The delay as a number of milliseconds, as the {@code JOBS_DEMO_STEP_MS} setting gives it. */
  public static DemoSettings ofStepMillis(long millis) {
    if (millis < 0) {
      throw new JobConfigurationException("JOBS_DEMO_STEP_MS must be >= 0, was " + millis);
    }
    return new DemoSettings(Duration.ofMillis(millis));
  }

  /** How long a job of {@code steps} steps takes. */
  public Duration duration(int steps) {
    return stepDelay.multipliedBy(steps);
  }
}
