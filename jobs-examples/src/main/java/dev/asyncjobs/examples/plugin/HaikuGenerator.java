package dev.asyncjobs.examples.plugin;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A custom job type, {@code haiku_generation}: three lines about a topic, one line per step. It
 * stands for any generator a team writes for its own work: a payload record, a check, an
 * estimate, and {@code generate} reporting progress through the {@link JobContext}.
 */
public final class HaikuGenerator extends AbstractGenerator<HaikuGenerator.Payload> {
  /** The job type's name. */
  public static final String TYPE = "haiku_generation";

  /** The job type with its payload, for typed creates: {@code JobRequest.of(owner, JOB_TYPE, new Payload("tea"))}. */
  public static final JobType<Payload> JOB_TYPE = JobType.of(TYPE, Payload.class);

  private static final List<String> FIRST = List.of("quiet morning light", "a cold mountain wind", "rain on the old roof");
  private static final List<String> LAST = List.of("and then it is gone", "the kettle answers", "one more page to turn");

  private final Duration linePause;

  /** A generator that pauses {@code linePause} before each line. */
  public HaikuGenerator(Duration linePause) {
    super(JOB_TYPE);
    this.linePause = linePause;
  }

  /**
   * What to write about.
   *
   * @param topic one or two words (required, at most 40 characters)
   */
  public record Payload(@Nullable String topic) {}

  /**
   * The poem.
   *
   * @param topic the topic
   * @param lines three lines
   */
  public record Haiku(String topic, List<String> lines) {}

  @Override
  public void validate(Payload p) {
    topic(p);
  }

  @Override
  public Duration estimate(Payload payload) {
    return linePause.multipliedBy(3);
  }

  @Override
  public Object generate(Payload p, JobContext context) {
    String topic = topic(p);
    int pick = Math.floorMod(topic.hashCode(), FIRST.size());
    List<String> lines = List.of(FIRST.get(pick), topic + " waits by the door", LAST.get(pick));
    for (int i = 0; i < lines.size(); i++) {
      context.sleep(linePause);
      context.progress((i + 1) * 33, "line " + (i + 1) + " of 3");
    }
    return new Haiku(topic, lines);
  }

  private static String topic(Payload p) {
    String topic = p.topic();
    if (topic == null || topic.isBlank() || topic.length() > 40) {
      throw new InvalidPayloadException("payload.topic", "topic is required, 1-40 characters");
    }
    return topic.strip().toLowerCase(Locale.ROOT);
  }
}
