package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Generators;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generators of the manager: every {@code Generator} bean, then those the providers on the
 * class path offer (when discovery is on) for the types no bean has. A bean wins over a discovered
 * generator of its type, as explicit wiring wins over the class path; two beans of one type are
 * left for the manager's builder to refuse.
 */
public final class GeneratorSet {
  private static final Logger LOG = LoggerFactory.getLogger(GeneratorSet.class);

  private GeneratorSet() {}

  /**
   * {@return the beans, then the discovered generators of other types}
   *
   * @param beans the Generator beans, in order
   * @param discover whether to ask the providers on the class path
   * @param settings the settings handed to the providers
   */
  public static List<Generator<?>> of(List<Generator<?>> beans, boolean discover, Map<String, String> settings) {
    List<Generator<?>> all = new ArrayList<>(beans);
    if (!discover) {
      return all;
    }
    Map<String, Generator<?>> byType = new LinkedHashMap<>();
    beans.forEach(b -> byType.putIfAbsent(b.type(), b));
    for (Generator<?> found : Generators.discover(settings)) {
      Generator<?> bean = byType.get(found.type());
      if (bean != null) {
        LOG.info("asyncjobs: job type '{}' has a Generator bean ({}); the one a provider offers ({}) is not registered",
            found.type(), bean.getClass().getName(), found.getClass().getName());
      } else {
        all.add(found);
      }
    }
    return all;
  }
}
