package dev.asyncjobs.examples;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.Generators;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.demo.DemoGenerators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the generators of the example: with {@code OPENAI_API_KEY}, every generator on the class
 * path ({@link Generators#discover}, strict: two providers of one type is an error); without it the
 * six offline demo generators, plus the types of class-path plugins that start without settings.
 */
final class GeneratorChoice {
  private static final Logger LOG = LoggerFactory.getLogger(GeneratorChoice.class);

  private GeneratorChoice() {}

  static List<Generator<?>> choose(AppSettings settings) {
    if (settings.openAiApiKey() != null) {
      return Generators.discover(settings.generatorSettings());
    }
    List<Generator<?>> all = new ArrayList<>(DemoGenerators.all(settings.demo()));
    Set<String> types = new HashSet<>();
    all.forEach(g -> types.add(g.type()));
    for (GeneratorProvider provider : Generators.providers()) {
      List<Generator<?>> offered;
      try {
        offered = provider.generators(settings.generatorSettings());
      } catch (JobConfigurationException e) {
        // The OpenAI provider, for one, needs its key: in demo mode it simply stays out.
        LOG.info("generator provider '{}' not used in demo mode: {}", provider.name(), e.getMessage());
        continue;
      }
      for (Generator<?> g : offered) {
        if (types.add(g.type())) {
          all.add(g);
        } else {
          LOG.info("type {} of provider '{}' not used: the demo generator serves it", g.type(), provider.name());
        }
      }
    }
    return all;
  }
}
