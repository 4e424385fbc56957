package dev.asyncjobs.releasecheck;

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
import org.junit.jupiter.api.Test;

/**
 * Every Java block of README.md and {@code docs/*.md} is compiled code: a verbatim quote of a block
 * between {@code // EXAMPLE-BEGIN name} and {@code // EXAMPLE-END name} (or the quick start's
 * {@code QUICKSTART} markers) in some module's test sources, which the build compiles and runs before
 * this module. The tests next to each example check that it does what the page says.
 */
class DocsJavaSamplesTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern MARKED =
      Pattern.compile("// (EXAMPLE|QUICKSTART)-BEGIN[^\n]*\n(.*?)\n[ ]*// \\1-END", Pattern.DOTALL);
  private static final Pattern JAVA_BLOCK = Pattern.compile("^```java\n(.*?)\n```$", Pattern.DOTALL | Pattern.MULTILINE);

  @Test
  void everyJavaBlockOfTheDocsIsAMarkedExampleOfCompiledTestCode() throws IOException {
    List<String> examples = markedExamples();
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    int blocks = 0;
    List<String> uncompiled = new ArrayList<>();
    for (Path page : pages) {
      Matcher block = JAVA_BLOCK.matcher(read(page));
      while (block.find()) {
        blocks++;
        if (!examples.contains(block.group(1).strip())) {
          uncompiled.add(ROOT.relativize(page) + ":\n" + block.group(1));
        }
      }
    }
    assertThat(uncompiled).as("Java blocks that no test compiles (quote them between EXAMPLE markers)").isEmpty();
    assertThat(blocks).as("Java blocks in the docs").isGreaterThanOrEqualTo(10);
  }

  /** The marked blocks of every module's test sources, unindented as a page prints them. */
  private static List<String> markedExamples() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path tests : modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(tests)) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
            Matcher m = MARKED.matcher(read(f));
            while (m.find()) {
              out.add(m.group(2).stripIndent().strip());
            }
          });
        }
      }
    }
    assertThat(out).as("marked examples in the test sources").isNotEmpty();
    return out;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
