package dev.asyncjobs.generators.openai.example;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

// EXAMPLE-BEGIN generator
/** Job type {@code palette_generation}: a palette of colors for a mood. */
public final class PaletteGenerator extends AbstractGenerator<PaletteGenerator.Payload> {

  /** The JSON payload, read into a record; unknown fields are refused for you. */
  public record Payload(String mood, @Nullable Integer colors) {}

  /** The type's name and payload in one constant, shared with the code that creates its jobs. */
  public static final JobType<Payload> TYPE = JobType.of("palette_generation", Payload.class);

  /** Public and without arguments, so that its provider (or a framework) can build it. */
  public PaletteGenerator() {
    super(TYPE);
  }

  /** Runs at create time (and before each attempt): bad input never becomes a job. */
  @Override
  public void validate(Payload p) {
    if (p.mood() == null || p.mood().isBlank()) {
      throw new InvalidPayloadException("payload.mood", "payload.mood is required");
    }
    if (p.colors() != null && (p.colors() < 2 || p.colors() > 10)) {
      throw new InvalidPayloadException("payload.colors", "payload.colors must be between 2 and 10, was " + p.colors());
    }
  }

  /** The user-written text the moderator checks (by default: every string of the payload). */
  @Override
  public List<String> moderationText(Payload p) {
    return List.of(p.mood());
  }

  /** Used until the runtime has learned real durations of this type. */
  @Override
  public Duration estimate(Payload p) {
    return Duration.ofSeconds(1);
  }

  @Override
  public Object generate(Payload p, JobContext context) {
    int n = p.colors() == null ? 5 : p.colors();
    Random random = new Random(p.mood().toLowerCase(Locale.ROOT).hashCode()); // same mood, same palette
    List<String> colors = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      context.throwIfCancelled(); // stop soon after the owner cancels
      colors.add(String.format("#%06x", random.nextInt(0x1000000)));
      context.progress(100 * i / (n + 1), "color " + i + " of " + n);
    }
    return Map.of("mood", p.mood(), "colors", colors); // any value Jackson can write
  }
}
// EXAMPLE-END generator
