package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.GeneratorRegistry;
import dev.asyncjobs.internal.Json;
import dev.asyncjobs.internal.PayloadTexts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GeneratorsTest {
  /** A payload record as plugin authors write them. */
  public record Greeting(String name, int times) {}

  /** A generator type registered twice through ServiceLoader (see test META-INF/services). */
  public static final class GreetingGenerator implements Generator<Greeting> {
    private final String type;

    GreetingGenerator(String type) {
      this.type = type;
    }

    @Override public String type() { return type; }
    @Override public Class<Greeting> payloadType() { return Greeting.class; }

    @Override
    public void validate(Greeting p) {
      if (p.name() == null || p.name().isBlank()) {
        throw new InvalidPayloadException("payload.name", "name is required");
      }
    }

    @Override public Object generate(Greeting p, JobContext c) { return Map.of("text", "hello " + p.name()); }
  }

  /** Offers "greeting" when the setting {@code greeting.enabled} is true. */
  public static final class ProviderA implements GeneratorProvider {
    @Override public String name() { return "a"; }

    @Override
    public List<Generator<?>> generators(Map<String, String> settings) {
      return "true".equals(settings.get("greeting.enabled")) ? List.of(new GreetingGenerator("greeting")) : List.of();
    }
  }

  /** Offers "greeting" too when {@code greeting.twice} is true, to provoke the clash. */
  public static final class ProviderB implements GeneratorProvider {
    @Override public String name() { return "b"; }

    @Override
    public List<Generator<?>> generators(Map<String, String> settings) {
      return "true".equals(settings.get("greeting.twice")) ? List.of(new GreetingGenerator("greeting")) : List.of();
    }
  }

  @Test
  void discoveryFindsProvidersInNameOrder() {
    assertThat(Generators.providers()).extracting(GeneratorProvider::name).containsExactly("a", "b");
    assertThat(Generators.discover(Map.of("greeting.enabled", "true"))).extracting(Generator::type).containsExactly("greeting");
  }

  @Test
  void twoProvidersOfOneTypeIsAClearError() {
    assertThatThrownBy(() -> Generators.discover(Map.of("greeting.enabled", "true", "greeting.twice", "true")))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("'greeting'").hasMessageContaining("'a'").hasMessageContaining("'b'");
  }

  @Test
  void registryRefusesBadAndDuplicateTypes() {
    assertThatThrownBy(() -> new GeneratorRegistry(List.of(new GreetingGenerator("Bad Type"))))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("'Bad Type'");
    assertThatThrownBy(() -> new GeneratorRegistry(List.of(new GreetingGenerator("g"), new GreetingGenerator("g"))))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("two generators");
    assertThatThrownBy(() -> new GeneratorRegistry(List.of(new GreetingGenerator("g"))).get("nope"))
        .isInstanceOfSatisfying(UnknownJobTypeException.class, e -> {
          assertThat(e.knownTypes()).containsExactly("g");
          assertThat(e.field()).isEqualTo("type");
        });
  }

  /** A greeting generator that declares resources and estimates units, right or wrong. */
  static final class ResourcefulGenerator extends AbstractGenerator<Greeting> {
    private final java.util.Set<String> resources;
    private final long units;

    ResourcefulGenerator(java.util.Set<String> resources, long units) {
      super(JobType.of("g", Greeting.class));
      this.resources = resources;
      this.units = units;
    }

    @Override public java.util.Set<String> resources() { return resources; }
    @Override public long estimateUnits(Greeting p) { return units; }
    @Override public Object generate(Greeting p, JobContext c) { return Map.of(); }
  }

  @Test
  void registryKnowsEachTypesResourcesAndRefusesBadOnesAndBadEstimates() {
    GeneratorRegistry ok = new GeneratorRegistry(List.of(
        new ResourcefulGenerator(java.util.Set.of("openai:gpt-image-1"), 3), new GreetingGenerator("plain")));
    assertThat(ok.resourcesOf("g")).containsExactly("openai:gpt-image-1");
    assertThat(ok.resourcesOf("plain")).isEmpty();
    Greeting hi = new Greeting("x", 1);
    @SuppressWarnings("unchecked")
    var g = (dev.asyncjobs.internal.RegisteredGenerator<Greeting>) ok.get("g");
    assertThat(g.estimateUnits(hi)).isEqualTo(3);
    assertThatThrownBy(() -> new GeneratorRegistry(List.of(new ResourcefulGenerator(java.util.Set.of("two words"), 1))))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("declares a bad resource");
    @SuppressWarnings("unchecked")
    var negative = (dev.asyncjobs.internal.RegisteredGenerator<Greeting>)
        new GeneratorRegistry(List.of(new ResourcefulGenerator(java.util.Set.of(), -1))).get("g");
    assertThatThrownBy(() -> negative.estimateUnits(hi))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("estimated -1 units");
  }

  @Test
  void bindingNamesTheFieldAtFault() {
    var g = new GeneratorRegistry(List.of(new GreetingGenerator("g"))).get("g");
    assertThatThrownBy(() -> g.bind(Json.parse("{\"name\":\"x\",\"times\":\"many\"}")))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.times"));
    assertThatThrownBy(() -> g.bind(Json.parse("{\"name\":\"x\",\"times\":1,\"tims\":2}")))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> {
          assertThat(e.field()).isEqualTo("payload.tims");
          assertThat(e.getMessage()).contains("unknown field 'tims'");
        });
    assertThatThrownBy(() -> g.bind(Json.parse("{\"name\":\" \",\"times\":2}")))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.name"));
    assertThatThrownBy(() -> g.bind(Json.parse("{\"name\":\"x\"}")))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.times"));
    assertThat(g.bind(Json.parse("{\"name\":\"x\",\"times\":2}"))).isEqualTo(new Greeting("x", 2));
  }

  @Test
  void payloadTextsAreCollectedAndUnstorableTextRefused() {
    JsonNode ok = Json.parse("{\"a\":\"one\",\"b\":[\"two\",{\"c\":\"three\"}],\"n\":1}");
    assertThat(PayloadTexts.collect(ok)).containsExactly("one", "two", "three");
    assertThatThrownBy(() -> PayloadTexts.collect(Json.parse("{\"a\":{\"b\":\"x\\u0000y\"}}")))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.a.b"));
    assertThatThrownBy(() -> PayloadTexts.collect(Json.parse("{\"a\":\"\\ud800\"}")))
        .isInstanceOf(InvalidPayloadException.class).hasMessageContaining("surrogate");
    assertThat(PayloadTexts.collect(Json.parse("{\"emoji\":\"\\ud83d\\ude00 ok\"}"))).containsExactly("😀 ok");
  }
}
