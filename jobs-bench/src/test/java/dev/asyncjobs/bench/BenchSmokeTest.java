package dev.asyncjobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.bench.internal.BenchRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench is not a test: this only proves that its quick mode runs end to end and writes well
 * formed JSON and a table, for a cheap scenario of each kind, the two that measure a user's
 * conditions (a cold table, an open loop) and pg-peers, whose peers' libraries must load and run. It
 * asserts no timing. The PostgreSQL scenarios run against {@code JOBS_BENCH_JDBC_URL} (default the local server) and is reported as skipped
 * when that is unreachable.
 */
class BenchSmokeTest {

  @Test
  void quickModeWritesTheTableAndWellFormedJson(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("bench.json");
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(table, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      status = new BenchRunner(out, err).run(new String[] {"memory-throughput", "pg-latency", "pg-cold", "pg-steady", "pg-peers", "--quick", "--out", json.toString()});
    }
    assertThat(status).as("exit status; log:%n%s", log).isZero();

    String markdown = table.toString(StandardCharsets.UTF_8);
    assertThat(markdown).contains("| scenario | metric | value | baseline | ratio | target | met? |").contains("| memory-throughput |");

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.path("quick").asBoolean()).isTrue();
    JsonNode machine = root.path("machine");
    assertThat(machine.path("cores").asInt()).isPositive();
    assertThat(machine.path("memoryBytes").isNumber()).isTrue();
    assertThat(machine.path("jvm").asText()).isNotBlank();
    assertThat(machine.path("os").asText()).isNotBlank();
    assertThat(machine.path("postgres").asText()).isNotBlank();

    List<String> names = new ArrayList<>();
    for (JsonNode s : root.path("scenarios")) {
      names.add(s.path("name").asText());
      String st = s.path("status").asText();
      assertThat(st).isIn("ok", "skipped");
      if (st.equals("ok")) {
        assertThat(s.path("measurements").size()).isPositive();
        for (JsonNode m : s.path("measurements")) {
          assertThat(m.path("metric").asText()).isNotBlank();
          assertThat(m.path("unit").asText()).isNotBlank();
          assertThat(m.path("value").isNumber()).isTrue();
          assertThat(m.path("targets").isArray()).isTrue();
        }
      } else {
        assertThat(s.path("reason").asText()).contains("PostgreSQL");
      }
    }
    assertThat(names).containsExactly("memory-throughput", "pg-peers", "pg-cold", "pg-steady", "pg-latency");

    // The charts next to the JSON are well-formed SVG; pg-steady's only when it ran.
    javax.xml.parsers.DocumentBuilderFactory xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    assertThat(xml.newDocumentBuilder().parse(dir.resolve("throughput.svg").toFile()).getDocumentElement().getTagName())
        .isEqualTo("svg");
    boolean steadyRan = false;
    for (JsonNode s : root.path("scenarios")) {
      if (s.path("name").asText().equals("pg-steady") && s.path("status").asText().equals("ok")) {
        steadyRan = true;
        assertThat(s.path("series").size()).as("queue depth series, 1 and 2 worker processes").isEqualTo(2);
        for (JsonNode series : s.path("series")) {
          assertThat(series.path("points").size()).isPositive();
          assertThat(series.path("marks").size()).as("warm-up, capacity and five rates").isEqualTo(7);
        }
      }
    }
    assertThat(java.nio.file.Files.exists(dir.resolve("pg-steady.svg"))).isEqualTo(steadyRan);
    assertThat(java.nio.file.Files.exists(dir.resolve("pg-steady-depth.svg"))).isEqualTo(steadyRan);
    if (steadyRan) {
      assertThat(xml.newDocumentBuilder().parse(dir.resolve("pg-steady.svg").toFile()).getElementsByTagName("polyline").getLength())
          .as("p50, p99 and max, for 1 and for 2 worker processes").isEqualTo(6);
      assertThat(xml.newDocumentBuilder().parse(dir.resolve("pg-steady-depth.svg").toFile()).getElementsByTagName("polyline").getLength())
          .as("queue depth over time, for 1 and for 2 worker processes").isEqualTo(2);
    }
  }

  @Test
  void anUnknownScenarioIsRefusedWithTheUsage() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      status = new BenchRunner(out, err).run(new String[] {"pg-nonsense"});
    }
    assertThat(status).isEqualTo(2);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("unknown scenario 'pg-nonsense'").contains("pg-throughput");
  }
}
