package dev.asyncjobs.examples;

import dev.asyncjobs.ContentModerator;
import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.Generators;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.demo.DemoGenerators;
import dev.asyncjobs.generators.openai.OpenAiGeneratorProvider;
import dev.asyncjobs.generators.openai.OpenAiGenerators;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generators and the moderation of the example.
 *
 * <ul>
 *   <li>With {@code OPENAI_API_KEY}: the six OpenAI generators and OpenAI's moderation, wired
 *       explicitly from {@link OpenAiGenerators#fromSettings} so that they share one client, which
 *       the app closes on shutdown.
 *   <li>Without it: the six offline demo generators and a keyword moderation.
 * </ul>
 *
 * Either way the types of other {@link GeneratorProvider}s on the class path are added (the haiku
 * plugin of this module, say), unless a type is already taken.
 *
 * @param generators what to register
 * @param moderator what checks prompts
 * @param openAi the OpenAI client to close with the app, in OpenAI mode
 */
record GeneratorChoice(List<Generator<?>> generators, ContentModerator moderator, @Nullable OpenAiGenerators openAi) {
  private static final Logger LOG = LoggerFactory.getLogger(GeneratorChoice.class);

  GeneratorChoice {
    generators = List.copyOf(generators);
  }

  static GeneratorChoice of(AppSettings settings) {
    List<Generator<?>> all = new ArrayList<>();
    ContentModerator moderator;
    OpenAiGenerators openAi = null;
    if (settings.openAiApiKey() != null) {
      openAi = OpenAiGenerators.fromSettings(settings.generatorSettings());
      all.addAll(openAi.all());
      moderator = openAi.moderator();
    } else {
      all.addAll(DemoGenerators.all(settings.demo()));
      moderator = DemoGenerators.moderator();
    }
    addPlugins(all, settings);
    return new GeneratorChoice(all, moderator, openAi);
  }

  /** Adds the types of the other providers on the class path. */
  private static void addPlugins(List<Generator<?>> all, AppSettings settings) {
    Set<String> types = new HashSet<>();
    all.forEach(g -> types.add(g.type()));
    for (GeneratorProvider provider : Generators.providers()) {
      if (provider instanceof OpenAiGeneratorProvider) {
        continue; // wired above when a key is set; without one it cannot start
      }
      List<Generator<?>> offered;
      try {
        offered = provider.generators(settings.generatorSettings());
      } catch (JobConfigurationException e) {
        LOG.info("generator provider '{}' not used: {}", provider.name(), e.getMessage());
        continue;
      }
      for (Generator<?> g : offered) {
        if (types.add(g.type())) {
          all.add(g);
        } else {
          LOG.info("type {} of provider '{}' not used: another generator serves it", g.type(), provider.name());
        }
      }
    }
  }
}
