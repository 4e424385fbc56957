package dev.asyncjobs.bench.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The command line: {@code [scenario…] [--quick] [--out FILE]}.
 *
 * @param scenarios the scenarios to run, in the order of the catalogue; all when none was named
 * @param quick smaller sizes, so that every scenario together finishes in a minute or two (pg-peers waits
 *     for its peers' multi-second polls)
 * @param out where the JSON goes; {@code null} for {@code bench.json} next to the jar
 * @param help whether only the usage was asked for
 */
public record BenchOptions(List<String> scenarios, boolean quick, @Nullable Path out, boolean help) {

  /** Checks nullness. */
  public BenchOptions {
    scenarios = List.copyOf(scenarios);
  }

  /**
   * Reads the arguments.
   *
   * @throws IllegalArgumentException an unknown scenario or option, with the usage
   */
  public static BenchOptions parse(String[] args, List<String> known) {
    Set<String> named = new LinkedHashSet<>();
    boolean quick = false;
    boolean help = false;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--help", "-h" -> help = true;
        case "--out" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--out needs a file name\n" + usage(known));
          }
          out = Path.of(args[++i]);
        }
        default -> {
          if (a.startsWith("-") || !known.contains(a)) {
            throw new IllegalArgumentException("unknown " + (a.startsWith("-") ? "option" : "scenario") + " '" + a + "'\n" + usage(known));
          }
          named.add(a);
        }
      }
    }
    List<String> chosen = new ArrayList<>();
    for (String k : known) {
      if (named.isEmpty() || named.contains(k)) {
        chosen.add(k);
      }
    }
    return new BenchOptions(chosen, quick, out, help);
  }

  /** The usage text. */
  public static String usage(List<String> known) {
    return "usage: java -jar jobs-bench.jar [scenario…] [--quick] [--out FILE]\n"
        + "  scenarios: " + String.join(", ", known) + " (default: all)\n"
        + "  --quick    small sizes: every scenario together in a minute or two\n"
        + "  --out      where the JSON goes (default: bench.json next to the jar)\n"
        + "  PostgreSQL: JOBS_BENCH_JDBC_URL (default " + PgServer.DEFAULT_URL + "),"
        + " JOBS_BENCH_JDBC_USER (postgres), JOBS_BENCH_JDBC_PASSWORD";
  }
}
