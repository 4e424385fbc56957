package dev.asyncjobs.bench.internal;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Runs the chosen scenarios one after the other, then prints the table and writes the JSON. */
public final class BenchRunner {
  private final Map<String, Scenario> catalogue = new LinkedHashMap<>();
  private final PrintStream out;
  private final PrintStream log;

  /** A runner printing the table to {@code out} and progress to {@code log}. */
  public BenchRunner(PrintStream out, PrintStream log) {
    this.out = out;
    this.log = log;
    for (Scenario s : List.of(
        new MemoryThroughputScenario(),
        new PgEnqueueScenario(),
        new PgThroughputScenario(),
        new PgPeersScenario(),
        new PgColdScenario(),
        new PgSteadyScenario(),
        new PgLatencyScenario(),
        new PgEventsScenario(),
        new PgHistoryScenario(),
        new PgProgressScenario(),
        new PgStreamingScenario(),
        new PgLimitsScenario(),
        new PgFairScenario(),
        new PgWebhooksScenario())) {
      catalogue.put(s.name(), s);
    }
  }

  /** The scenario names, in the order they run. */
  public List<String> scenarioNames() {
    return List.copyOf(catalogue.keySet());
  }

  /**
   * Runs the command line.
   *
   * @return the exit status: 0 when every chosen scenario ran or was skipped, 1 when one failed, 2
   *     on a bad command line
   */
  public int run(String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args, scenarioNames());
    } catch (IllegalArgumentException e) {
      log.println(e.getMessage());
      return 2;
    }
    if (options.help()) {
      out.println(BenchOptions.usage(scenarioNames()));
      return 0;
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    PgServer server = PgServer.fromSettings();
    String[] why = new String[1];
    String version = server.version(why);
    MachineInfo machine = MachineInfo.current(version, why[0]);
    log.println("asyncjobs bench" + (options.quick() ? " --quick" : "") + " on " + machine.summary());
    List<ScenarioResult> results = new ArrayList<>();
    for (String name : options.scenarios()) {
      results.add(runOne(catalogue.get(name), options.quick(), version != null ? server : null, why[0]));
    }
    Report report = new Report(started, options.quick(), machine, results, (System.nanoTime() - t0) / 1e9);
    out.println(report.markdown());
    Path json = options.out() != null ? options.out() : defaultJsonPath();
    try {
      report.writeJson(json);
      log.println("figures written to " + json.toAbsolutePath());
      Path dir = json.toAbsolutePath().getParent();
      for (Path chart : Charts.write(results, dir == null ? Path.of(".") : dir)) {
        log.println("chart written to " + chart);
      }
    } catch (java.io.IOException e) {
      log.println("could not write " + json + ": " + e);
      return 1;
    }
    return results.stream().anyMatch(r -> r.status() == ScenarioResult.Status.FAILED) ? 1 : 0;
  }

  private ScenarioResult runOne(Scenario s, boolean quick, @Nullable PgServer pg, @Nullable String pgReason) {
    if (s.needsPostgres() && pg == null) {
      log.println("[" + s.name() + "] skipped: PostgreSQL unreachable (" + pgReason + ")");
      return new ScenarioResult(s.name(), ScenarioResult.Status.SKIPPED, "PostgreSQL unreachable: " + pgReason, 0, List.of(), List.of(), List.of());
    }
    ScenarioRun run = new ScenarioRun(s.name(), quick, pg, log);
    long t0 = System.nanoTime();
    try {
      s.run(run);
      return new ScenarioResult(s.name(), ScenarioResult.Status.OK, null, (System.nanoTime() - t0) / 1e9, run.measurements(), run.notes(), run.series());
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (e instanceof VirtualMachineError fatal && !(e instanceof OutOfMemoryError)) {
        throw fatal;
      }
      log.println("[" + s.name() + "] failed: " + e);
      e.printStackTrace(log);
      return new ScenarioResult(
          s.name(), ScenarioResult.Status.FAILED, e.toString(), (System.nanoTime() - t0) / 1e9, run.measurements(), run.notes(), run.series());
    }
  }

  /**
   * {@code bench.json} next to the jar (jobs-bench/target when built by Maven), whatever the
   * working directory; next to the classes directory when run from classes.
   */
  static Path defaultJsonPath() {
    try {
      Path code = Path.of(BenchRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path dir = code.getParent();
      if (dir != null) {
        return dir.resolve("bench.json");
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through to the working directory
    }
    return Path.of("bench.json");
  }
}
