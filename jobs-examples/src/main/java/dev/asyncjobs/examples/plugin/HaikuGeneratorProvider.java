package dev.asyncjobs.examples.plugin;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.JobConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Offers {@link HaikuGenerator} to {@link dev.asyncjobs.Generators#discover(Map)}. Listed in
 * {@code META-INF/services/dev.asyncjobs.GeneratorProvider}: that one line is the whole
 * registration. Setting {@code haiku.linePauseMillis} (default 100) paces it.
 */
public final class HaikuGeneratorProvider implements GeneratorProvider {
  /** The setting that paces the generator. */
  public static final String LINE_PAUSE = "haiku.linePauseMillis";

  /** For {@link java.util.ServiceLoader}. */
  public HaikuGeneratorProvider() {}

  @Override
  public String name() {
    return "example-haiku";
  }

  @Override
  public List<Generator<?>> generators(Map<String, String> settings) {
    String raw = settings.getOrDefault(LINE_PAUSE, "100");
    long millis;
    try {
      millis = Long.parseLong(raw.strip());
    } catch (NumberFormatException e) {
      throw new JobConfigurationException(LINE_PAUSE + " must be a whole number of milliseconds, was '" + raw + "'", e);
    }
    if (millis < 0) {
      throw new JobConfigurationException(LINE_PAUSE + " must be >= 0, was " + millis);
    }
    return List.of(new HaikuGenerator(Duration.ofMillis(millis)));
  }
}
