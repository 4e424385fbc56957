package dev.asyncjobs.internal;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.UnknownJobTypeException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The generators of one manager, by type. Immutable. */
public final class GeneratorRegistry {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
  private final Map<String, RegisteredGenerator<?>> byType;
  /** The resources each type's generator declares; types that declare none are absent. */
  private final Map<String, Set<String>> resourcesByType;

  public GeneratorRegistry(Collection<? extends Generator<?>> generators) {
    Map<String, RegisteredGenerator<?>> map = new LinkedHashMap<>();
    for (Generator<?> g : generators) {
      String type = g.type();
      if (!TYPE.matcher(type).matches()) {
        throw new JobConfigurationException(
            "generator " + g.getClass().getName() + " has type '" + type
                + "'; a type is 1-64 characters of a-z, 0-9, '_', '.', '-', starting with a letter");
      }
      if (map.put(type, register(g)) != null) {
        throw new JobConfigurationException("two generators registered for type '" + type + "'");
      }
    }
    this.byType = Map.copyOf(map);
    Map<String, Set<String>> resources = new LinkedHashMap<>();
    for (Generator<?> g : generators) {
      Set<String> declared = resourcesOf(g);
      if (!declared.isEmpty()) {
        resources.put(g.type(), declared);
      }
    }
    this.resourcesByType = Map.copyOf(resources);
  }

  private static Set<String> resourcesOf(Generator<?> g) {
    Set<String> declared = Set.copyOf(g.resources());
    for (String r : declared) {
      try {
        dev.asyncjobs.JobLimit.checkName(r);
      } catch (dev.asyncjobs.InvalidRequestException e) {
        throw new JobConfigurationException("generator " + g.getClass().getName() + " of type '" + g.type()
            + "' declares a bad resource: " + e.getMessage(), e);
      }
    }
    return declared;
  }

  /** The resources the generator of {@code type} declares; none for a type without any. */
  public Set<String> resourcesOf(String type) {
    return resourcesByType.getOrDefault(type, Set.of());
  }

  private static <P> RegisteredGenerator<P> register(Generator<P> g) {
    return new RegisteredGenerator<>(g);
  }

  /** The generator of a type, or {@link UnknownJobTypeException}. */
  public RegisteredGenerator<?> get(String type) {
    RegisteredGenerator<?> g = byType.get(type);
    if (g == null) {
      throw new UnknownJobTypeException(type, byType.keySet());
    }
    return g;
  }

  public boolean has(String type) {
    return byType.containsKey(type);
  }

  public Set<String> types() {
    return byType.keySet();
  }

  public Map<String, Generator<?>> generators() {
    Map<String, Generator<?>> m = new LinkedHashMap<>();
    byType.forEach((t, g) -> m.put(t, g.generator()));
    return m;
  }
}
