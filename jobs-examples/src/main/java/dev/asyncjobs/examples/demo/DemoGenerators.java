package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.KeywordContentModerator;
import java.util.List;

/** The six demo generators and the demo moderation, ready to register with a manager. */
public final class DemoGenerators {
  private DemoGenerators() {}

  /** One generator for each of the six job types of the example, paced by {@code settings}. */
  public static List<Generator<?>> all(DemoSettings settings) {
    return List.of(
        new ImageGenerationDemo(settings),
        new TextGenerationDemo(settings),
        new VideoGenerationDemo(settings),
        new MusicGenerationDemo(settings),
        new Model3dGenerationDemo(settings),
        new GraphicGenerationDemo(settings));
  }

  /**
   * An offline moderation with a short, obvious word list (try "gore" in a prompt to see a 422).
   * A real deployment puts a moderation service in front, e.g. the OpenAI moderator.
   */
  public static KeywordContentModerator moderator() {
    return KeywordContentModerator.builder()
        .block("violence", "gore", "massacre", "bloodbath")
        .block("hate", "genocide")
        .block("self-harm", "suicide")
        .build();
  }
}
