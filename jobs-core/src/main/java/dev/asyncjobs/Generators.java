package dev.asyncjobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds generators on the class path with {@link ServiceLoader}. */
public final class Generators {
  private Generators() {}

  /** {@return every {@link GeneratorProvider} on the context class path, ordered by name} */
  public static List<GeneratorProvider> providers() {
    return providers(Thread.currentThread().getContextClassLoader());
  }

  /**
   * {@return every {@link GeneratorProvider} visible to {@code loader}, ordered by name}
   *
   * @param loader the class loader to search
   */
  public static List<GeneratorProvider> providers(ClassLoader loader) {
    List<GeneratorProvider> found = new ArrayList<>();
    ServiceLoader.load(GeneratorProvider.class, loader).forEach(found::add);
    found.sort(Comparator.comparing(GeneratorProvider::name));
    return found;
  }

  /**
   * The generators of every provider on the class path, built with {@code settings}.
   *
   * @param settings host configuration handed to every provider
   * @return the generators of all providers
   * @throws JobConfigurationException when two providers offer the same type (the message names
   *     both), or a provider refuses the settings
   */
  public static List<Generator<?>> discover(Map<String, String> settings) {
    Map<String, String> providerOfType = new LinkedHashMap<>();
    List<Generator<?>> all = new ArrayList<>();
    for (GeneratorProvider provider : providers()) {
      for (Generator<?> generator : provider.generators(settings)) {
        String previous = providerOfType.putIfAbsent(generator.type(), provider.name());
        if (previous != null) {
          throw new JobConfigurationException(
              "job type '" + generator.type() + "' is offered by two generator providers: '"
                  + previous + "' and '" + provider.name() + "'; register one explicitly");
        }
        all.add(generator);
      }
    }
    return all;
  }
}
