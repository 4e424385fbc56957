package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java samples of {@code docs/generators.md} and {@code docs/writing-a-generator.md} are compiled
 * test code: every block between {@code EXAMPLE-BEGIN name} and {@code EXAMPLE-END name} markers is
 * quoted verbatim on its page, so when the code changes this fails until the page follows; and
 * every Java block of those pages is one of these quotes, so no sample the build does not compile
 * can appear there.
 */
class DocsSamplesTest {
  private static final Path TESTS = Path.of("src/test/java/dev/asyncjobs/generators/openai");
  private static final Path DOCS = Path.of("../docs");
  private static final Pattern EXAMPLE = Pattern.compile("// EXAMPLE-BEGIN (\\S+)\n(.*?)\n[ ]*// EXAMPLE-END \\1", Pattern.DOTALL);
  private static final Pattern JAVA_BLOCK = Pattern.compile("^```java\n(.*?)\n```$", Pattern.DOTALL | Pattern.MULTILINE);

  @ParameterizedTest(name = "{1} from {0} in {2}")
  @CsvSource({
    "WiringExampleTest.java, wiring, generators.md",
    "UsageReportingTest.java, job-usage, generators.md",
    "example/PaletteGenerator.java, generator, writing-a-generator.md",
    "example/PaletteGeneratorProvider.java, provider, writing-a-generator.md",
    "example/PaletteGeneratorTest.java, usage, writing-a-generator.md",
  })
  void thePageQuotesTheCompiledExample(String file, String name, String page) throws IOException {
    String source = Files.readString(TESTS.resolve(file), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("// EXAMPLE-BEGIN " + name + "\n(.*?)\n[ ]*// EXAMPLE-END " + name, Pattern.DOTALL).matcher(source);

    assertThat(m.find()).as(file + " has the markers of '" + name + "'").isTrue();
    assertThat(read(DOCS.resolve(page))).as("docs/" + page + " quotes '" + name + "' of " + file)
        .contains("```java\n" + m.group(1).stripIndent() + "\n```");
  }

  @ParameterizedTest(name = "docs/{0}")
  @ValueSource(strings = {"generators.md", "writing-a-generator.md"})
  void everyJavaBlockOfThePageIsACompiledExample(String page) throws IOException {
    List<String> examples = compiledExamples();
    Matcher block = JAVA_BLOCK.matcher(read(DOCS.resolve(page)));
    int blocks = 0;
    while (block.find()) {
      blocks++;
      assertThat(examples).as("a Java block of docs/" + page + " that no test compiles (quote it between EXAMPLE markers):\n" + block.group(1))
          .contains(block.group(1));
    }
    assertThat(blocks).as("Java blocks in docs/" + page).isPositive();
  }

  /** Every marked example in this module's test sources, as a page prints it. */
  private static List<String> compiledExamples() throws IOException {
    List<String> examples = new ArrayList<>();
    try (Stream<Path> files = Files.walk(TESTS)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
        Matcher m = EXAMPLE.matcher(read(f));
        while (m.find()) {
          examples.add(m.group(2).stripIndent());
        }
      });
    }
    return examples;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
