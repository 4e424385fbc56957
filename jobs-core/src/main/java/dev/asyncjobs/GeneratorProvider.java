package dev.asyncjobs;

import java.util.List;
import java.util.Map;

/**
 * Builds generators from configuration; found with {@link java.util.ServiceLoader} (list the class
 * in {@code META-INF/services/dev.asyncjobs.GeneratorProvider}), so that a generator module on the
 * class path is enough. See {@link Generators#discover(Map)}.
 */
public interface GeneratorProvider {

  /** {@return a short name for messages, e.g} {@code openai}. */
  String name();

  /**
   * Builds this provider's generators.
   *
   * @param settings host configuration (keys are provider-specific, e.g. {@code openai.apiKey})
   * @return the generators, each of a distinct type
   * @throws JobConfigurationException when a required setting is missing or wrong
   */
  List<Generator<?>> generators(Map<String, String> settings);
}
