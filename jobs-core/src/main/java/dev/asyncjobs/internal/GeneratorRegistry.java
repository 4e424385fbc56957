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
  /** For each limit name, the types under it: every type under its own name and its resources. */
  private final Map<String, Set<String>> typesByName;

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
    Map<String, Set<String>> names = new java.util.TreeMap<>();
    for (Generator<?> g : generators) {
      Set<String> declared = resourcesOf(g);
      if (!declared.isEmpty()) {
        resources.put(g.type(), declared);
      }
      names.computeIfAbsent(g.type(), n -> new java.util.TreeSet<>()).add(g.type());
      declared.forEach(r -> names.computeIfAbsent(r, n -> new java.util.TreeSet<>()).add(g.type()));
    }
    this.resourcesByType = Map.copyOf(resources);
    Map<String, Set<String>> frozen = new java.util.TreeMap<>();
    names.forEach((n, t) -> frozen.put(n, Set.copyOf(t)));
    this.typesByName = java.util.Collections.unmodifiableMap(frozen);
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

  /** The resources each type's generator declares, for claim requests; types declaring none are absent. */
  public Map<String, Set<String>> resourcesByType() {
    return resourcesByType;
  }

  /** Each limit name the generators know (every type and every resource), with the types under it. */
  public Map<String, Set<String>> typesByName() {
    return typesByName;
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
