package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every Java block of {@code README-section.md} is a verbatim quote of compiled test code, between
 * {@code EXAMPLE-BEGIN name} and {@code EXAMPLE-END name} markers: when the code changes, this
 * fails until the README follows.
 */
class ReadmeSectionTest {
  private static final Path TESTS = Path.of("src/test/java/dev/asyncjobs/generators/openai");

  @ParameterizedTest(name = "{1} from {0}")
  @CsvSource({
    "WiringExampleTest.java, wiring",
    "example/PaletteGenerator.java, generator",
    "example/PaletteGeneratorProvider.java, provider",
    "example/PaletteGeneratorTest.java, usage",
  })
  void quotesTheCompiledExample(String file, String name) throws IOException {
    String readme = Files.readString(Path.of("README-section.md"), StandardCharsets.UTF_8);
    String source = Files.readString(TESTS.resolve(file), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("// EXAMPLE-BEGIN " + name + "\n(.*?)\n[ ]*// EXAMPLE-END " + name, Pattern.DOTALL).matcher(source);

    assertThat(m.find()).as(file + " has the markers of '" + name + "'").isTrue();
    assertThat(readme).as("README-section.md quotes '" + name + "' of " + file).contains("```java\n" + m.group(1).stripIndent() + "\n```");
  }
}
