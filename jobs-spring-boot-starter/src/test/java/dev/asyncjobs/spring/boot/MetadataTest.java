package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata that spring-boot-configuration-processor generated into the jar
 * (what IDEs complete) has every property of docs/spring-boot.md's table, with the same default
 * and a description, and the table has every property of the metadata.
 */
class MetadataTest {
  private static final Path PAGE = Path.of("../docs/spring-boot.md");
  /** A row of the property table: | `asyncjobs.…` | default | meaning |. */
  private static final Pattern ROW = Pattern.compile("^\\| `(asyncjobs\\.[^`]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

  /** The generated metadata's properties by name. */
  private static Map<String, JsonNode> generated() throws IOException {
    try (InputStream in = MetadataTest.class.getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
      Map<String, JsonNode> byName = new TreeMap<>();
      new ObjectMapper().readTree(in).get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
      return byName;
    }
  }

  /** The documented properties, by the name the metadata uses, and their default column. */
  private static Map<String, String> documented() throws IOException {
    Map<String, String> byName = new TreeMap<>();
    Matcher row = ROW.matcher(Files.readString(PAGE, StandardCharsets.UTF_8));
    while (row.find()) {
      String name = row.group(1).replace(".<type>", "").replace("[<name>]", "").replace(".*", "");
      byName.put(name, row.group(2).strip());
    }
    return byName;
  }

  @Test
  void theGeneratedMetadataAndTheDocumentedTableHaveTheSameProperties() throws IOException {
    Map<String, JsonNode> generated = generated();
    Map<String, String> documented = documented();
    assertThat(documented).as("the property table of docs/spring-boot.md").hasSizeGreaterThan(20);
    assertThat(generated.keySet()).as("generated metadata vs the docs' table").containsExactlyInAnyOrderElementsOf(documented.keySet());
    generated.forEach((name, p) -> {
      assertThat(p.path("description").asText()).as("description of " + name).isNotBlank();
      assertThat(p.path("sourceType").asText()).as("source of " + name).startsWith(AsyncJobsProperties.class.getName());
    });
  }

  @Test
  void theDocumentedDefaultsAreTheGeneratedOnes() throws IOException {
    Map<String, JsonNode> generated = generated();
    documented().forEach((name, shown) -> {
      JsonNode value = generated.get(name).get("defaultValue");
      if (shown.matches("`[^`]*`")) { // a literal default: the metadata must say the same
        assertThat(value).as("default of " + name).isNotNull();
        assertThat(value.asText()).as("default of " + name).isEqualTo(shown.substring(1, shown.length() - 1));
      } else if (!name.equals("asyncjobs.postgres.table-prefix")) { // "empty": the metadata's ""
        assertThat(value).as("default of " + name + " (documented as '" + shown + "')").isNull();
      }
    });
  }

  @Test
  void theStoreValuesAreHinted() throws IOException {
    try (InputStream in = MetadataTest.class.getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      JsonNode hints = new ObjectMapper().readTree(in).get("hints");
      assertThat(hints).anySatisfy(h -> {
        assertThat(h.get("name").asText()).isEqualTo("asyncjobs.store");
        assertThat(h.get("values")).extracting(v -> v.get("value").asText()).containsExactly("auto", "postgres", "memory");
      });
    }
  }
}
