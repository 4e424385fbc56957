package dev.asyncjobs.spring.boot;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.util.List;
import java.util.Map;

/**
 * A provider found with ServiceLoader (listed in this module's test resources): one generator of
 * type {@code greeting}, whose greeting comes from the setting {@code greeting.text}, so that a test
 * sees the {@code asyncjobs.generators.*} settings arrive.
 */
public final class GreetingGeneratorProvider implements GeneratorProvider {
  /** The payload: whom to greet. */
  public record Greet(String name) {}

  /** The type the provider's generator makes. */
  public static final JobType<Greet> TYPE = JobType.of("greeting", Greet.class);

  /** For ServiceLoader. */
  public GreetingGeneratorProvider() {}

  @Override
  public String name() {
    return "greeting";
  }

  @Override
  public List<Generator<?>> generators(Map<String, String> settings) {
    return List.of(new Greeting(settings.getOrDefault("greeting.text", "Hello")));
  }

  /** Greets with the configured text. */
  public static final class Greeting extends AbstractGenerator<Greet> {
    private final String text;

    Greeting(String text) {
      super(TYPE);
      this.text = text;
    }

    /** {@return the greeting it was configured with} */
    public String text() {
      return text;
    }

    @Override
    public Object generate(Greet payload, JobContext context) {
      return Map.of("greeting", text + ", " + payload.name());
    }
  }
}
