package dev.asyncjobs.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The figures of a run, as a markdown table and as JSON. */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Instant startedAt;
  private final boolean quick;
  private final MachineInfo machine;
  private final List<ScenarioResult> results;
  private final double seconds;

  Report(Instant startedAt, boolean quick, MachineInfo machine, List<ScenarioResult> results, double seconds) {
    this.startedAt = startedAt;
    this.quick = quick;
    this.machine = machine;
    this.results = List.copyOf(results);
    this.seconds = seconds;
  }

  /** The markdown table, with the machine above it and notes below. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("Machine: ").append(machine.summary()).append('\n');
    b.append("Run: ").append(startedAt).append(quick ? ", --quick" : ", full").append(String.format(java.util.Locale.ROOT, ", %.1f s%n%n", seconds));
    b.append("| scenario | metric | value | baseline | ratio | target | met? |\n");
    b.append("| --- | --- | ---: | ---: | ---: | --- | --- |\n");
    for (ScenarioResult r : results) {
      if (r.status() != ScenarioResult.Status.OK && r.measurements().isEmpty()) {
        b.append("| ").append(r.name()).append(" | ").append(r.status().name().toLowerCase()).append(": ")
            .append(cell(String.valueOf(r.reason()))).append(" | | | | | |\n");
        continue;
      }
      for (Measurement m : r.measurements()) {
        Double ratio = m.ratio();
        Boolean met = m.met();
        b.append("| ").append(r.name())
            .append(" | ").append(cell(m.metric()))
            .append(" | ").append(Numbers.format(m.value())).append(' ').append(m.unit())
            .append(" | ").append(m.baseline() == null ? "" : Numbers.format(m.baseline()) + " " + m.unit())
            .append(" | ").append(ratio == null ? "" : Numbers.format(ratio) + "×")
            .append(" | ").append(targets(m))
            .append(" | ").append(met == null ? "" : met ? "yes" : "**no**")
            .append(" |\n");
      }
      if (r.status() == ScenarioResult.Status.FAILED) {
        b.append("| ").append(r.name()).append(" | failed: ").append(cell(String.valueOf(r.reason()))).append(" | | | | | |\n");
      }
    }
    boolean notes = false;
    for (ScenarioResult r : results) {
      for (String n : r.notes()) {
        if (!notes) {
          b.append('\n');
          notes = true;
        }
        b.append("- ").append(n).append('\n');
      }
    }
    return b.toString();
  }

  private static String targets(Measurement m) {
    StringBuilder b = new StringBuilder();
    for (Target t : m.targets()) {
      if (b.length() > 0) {
        b.append(" and ");
      }
      b.append(t.describe(m.unit()));
    }
    return b.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /** The same figures as JSON. */
  ObjectNode json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("startedAt", startedAt.toString());
    root.put("quick", quick);
    root.put("seconds", seconds);
    ObjectNode m = root.putObject("machine");
    m.put("cores", machine.cores());
    m.put("memoryBytes", machine.memoryBytes());
    m.put("jvm", machine.jvm());
    m.put("os", machine.os());
    m.put("postgres", machine.postgres());
    m.put("postgresReachable", machine.postgresReachable());
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioResult r : results) {
      ObjectNode s = scenarios.addObject();
      s.put("name", r.name());
      s.put("status", r.status().name().toLowerCase());
      if (r.reason() != null) {
        s.put("reason", r.reason());
      }
      s.put("seconds", r.seconds());
      ArrayNode ms = s.putArray("measurements");
      for (Measurement x : r.measurements()) {
        ObjectNode o = ms.addObject();
        o.put("metric", x.metric());
        o.put("unit", x.unit());
        number(o, "value", x.value());
        if (x.baseline() != null) {
          number(o, "baseline", x.baseline());
          o.put("baselineName", x.baselineName());
        }
        if (x.ratio() != null) {
          number(o, "ratio", x.ratio());
        }
        ArrayNode ts = o.putArray("targets");
        for (Target t : x.targets()) {
          ObjectNode to = ts.addObject();
          to.put("kind", t.kind().name().toLowerCase());
          to.put("threshold", t.threshold());
          to.put("text", t.describe(x.unit()));
        }
        if (x.met() != null) {
          o.put("met", x.met());
        }
      }
      ArrayNode notes = s.putArray("notes");
      r.notes().forEach(notes::add);
      ArrayNode series = s.putArray("series");
      for (Series x : r.series()) {
        ObjectNode o = series.addObject();
        o.put("name", x.name());
        o.put("xUnit", x.xUnit());
        o.put("yUnit", x.yUnit());
        ArrayNode points = o.putArray("points");
        x.points().forEach(pt -> points.addArray().add(pt.x()).add(pt.y()));
        ArrayNode marks = o.putArray("marks");
        x.marks().forEach(mk -> marks.addObject().put("x", mk.x()).put("label", mk.label()));
      }
    }
    return root;
  }

  /** JSON has no NaN or infinity: such a figure is written as null. */
  private static void number(ObjectNode o, String field, double v) {
    if (Double.isFinite(v)) {
      o.put(field, v);
    } else {
      o.putNull(field);
    }
  }

  void writeJson(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    JSON.writeValue(file.toFile(), json());
  }
}
