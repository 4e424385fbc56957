package dev.asyncjobs.examples.spring;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The example's one generator, offline (no API key): a palette of colours for a prompt, made one
 * colour per step, with progress, so that a client sees the job move. The colours are derived from
 * the prompt, so the same prompt gives the same palette. As a bean, the starter registers it.
 */
@Component
public class PaletteGenerator extends AbstractGenerator<PaletteGenerator.Palette> {
  /**
   * The payload.
   *
   * @param prompt what the palette is for, 1-500 characters
   * @param colors how many colours, 1-12
   */
  public record Palette(String prompt, int colors) {}

  /** The job type, shared by the generator and the service that creates its jobs. */
  public static final JobType<Palette> TYPE = JobType.of("palette_generation", Palette.class);

  private final Duration step;

  /**
   * A generator.
   *
   * @param step how long one colour takes ({@code example.step}), to make progress visible
   */
  public PaletteGenerator(@Value("${example.step:300ms}") Duration step) {
    super(TYPE);
    this.step = step;
  }

  @Override
  public void validate(Palette p) {
    if (p.prompt() == null || p.prompt().isBlank() || p.prompt().length() > 500) {
      throw new InvalidPayloadException("payload.prompt", "prompt must be 1-500 characters");
    }
    if (p.colors() < 1 || p.colors() > 12) {
      throw new InvalidPayloadException("payload.colors", "colors must be 1-12, was " + p.colors());
    }
  }

  @Override
  public Duration estimate(Palette p) {
    return step.multipliedBy(p.colors());
  }

  @Override
  public List<String> moderationText(Palette p) {
    return List.of(p.prompt());
  }

  @Override
  public Object generate(Palette p, JobContext context) {
    List<String> colors = new ArrayList<>();
    for (int i = 0; i < p.colors(); i++) {
      context.throwIfCancelled();
      context.sleep(step);
      colors.add(color(p.prompt(), i));
      context.progress(100 * (i + 1) / p.colors(), "colour " + (i + 1) + " of " + p.colors());
    }
    return Map.of("prompt", p.prompt(), "colors", colors);
  }

  private static String color(String prompt, int index) {
    CRC32 crc = new CRC32();
    crc.update((index + ":" + prompt).getBytes(StandardCharsets.UTF_8));
    return String.format("#%06x", crc.getValue() & 0xffffff);
  }
}
