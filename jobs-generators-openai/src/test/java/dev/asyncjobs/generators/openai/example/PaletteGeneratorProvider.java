package dev.asyncjobs.generators.openai.example;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import java.util.List;
import java.util.Map;

// EXAMPLE-BEGIN provider
/**
 * Lets {@code Generators.discover(settings)} find the palette generator: list this class in
 * {@code META-INF/services/dev.asyncjobs.GeneratorProvider}.
 */
public final class PaletteGeneratorProvider implements GeneratorProvider {
  @Override
  public String name() {
    return "palette";
  }

  @Override
  public List<Generator<?>> generators(Map<String, String> settings) {
    return List.of(new PaletteGenerator());
  }
}
// EXAMPLE-END provider
