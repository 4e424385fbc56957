package dev.asyncjobs.tck;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.Map;

/**
 * A minimal generator of the type {@code echo}, used by the manager suite and handy in a store's own
 * tests: validates {@code repeat} (1 to 5), estimates 7 seconds, and returns the text repeated.
 */
public final class EchoGenerator extends AbstractGenerator<EchoGenerator.Echo> {
  /**
   * The payload of the {@code echo} type.
   *
   * @param text the text to repeat
   * @param repeat how many times, 1 to 5
   */
  public record Echo(String text, int repeat) {}

  /** The {@code echo} type with its payload. */
  public static final JobType<Echo> TYPE = JobType.of("echo", Echo.class);

  /** A generator of {@code echo} jobs. */
  public EchoGenerator() {
    super(TYPE);
  }

  @Override
  public void validate(Echo p) {
    if (p.text() == null) {
      throw new InvalidPayloadException("payload.text", "text is required");
    }
    if (p.repeat() < 1 || p.repeat() > 5) {
      throw new InvalidPayloadException("payload.repeat", "repeat must be 1-5, was " + p.repeat());
    }
  }

  @Override
  public Duration estimate(Echo p) {
    return Duration.ofSeconds(7);
  }

  @Override
  public Object generate(Echo p, JobContext c) {
    return Map.of("text", p.text().repeat(p.repeat()));
  }
}
