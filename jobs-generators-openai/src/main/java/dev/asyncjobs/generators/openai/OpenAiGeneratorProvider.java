package dev.asyncjobs.generators.openai;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import java.util.List;
import java.util.Map;

/**
 * Offers the six OpenAI generators to {@link dev.asyncjobs.Generators#discover(Map)}: with this
 * module on the class path, {@code JobManager.builder().discoverGenerators(settings)} registers them,
 * configured by the {@code openai.*} settings or the {@code OPENAI_*} environment variables (see
 * {@link OpenAiGenerators#fromSettings(Map)}).
 *
 * <p>The generators it builds share a client that lives as long as the process (its threads are
 * daemons and idle out); hosts that need to close it wire {@link OpenAiGenerators} explicitly.
 */
public final class OpenAiGeneratorProvider implements GeneratorProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public OpenAiGeneratorProvider() {}

  @Override
  public String name() {
    return "openai";
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.asyncjobs.JobConfigurationException no API key in the settings or the environment,
   *     or a bad {@code openai.*} setting
   */
  @Override
  public List<Generator<?>> generators(Map<String, String> settings) {
    return OpenAiGenerators.fromSettings(settings).all();
  }
}
