package dev.asyncjobs.bench.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What a running scenario sees: the mode, the database, and where its figures go. */
final class ScenarioRun {
  private final String name;
  private final boolean quick;
  private final @Nullable PgServer pg;
  private final PrintStream log;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<Series> series = new ArrayList<>();

  ScenarioRun(String name, boolean quick, @Nullable PgServer pg, PrintStream log) {
    this.name = name;
    this.quick = quick;
    this.pg = pg;
    this.log = log;
  }

  boolean quick() {
    return quick;
  }

  /** {@code full} in a full run, {@code quick} with {@code --quick}. */
  int size(int full, int quickSize) {
    return quick ? quickSize : full;
  }

  /**
   * How often a figure and its baseline are measured, interleaved, keeping the best of each: 2 in a
   * full run, 1 with {@code --quick}.
   */
  int rounds() {
    return quick ? 1 : 2;
  }

  /** The database; only for scenarios that need it (they are skipped without one). */
  PgServer pg() {
    if (pg == null) {
      throw new IllegalStateException(name + " needs PostgreSQL");
    }
    return pg;
  }

  /** Records a figure and says it on the progress log. */
  void record(Measurement m) {
    measurements.add(m);
    Double ratio = m.ratio();
    String base = m.baseline() == null ? "" : " (baseline " + Numbers.format(m.baseline()) + (ratio == null ? "" : ", ratio " + Numbers.format(ratio)) + ")";
    progress(m.metric() + ": " + Numbers.format(m.value()) + " " + m.unit() + base);
  }

  /** Adds a note for the reader of the figures. */
  void note(String text) {
    notes.add(text);
  }

  /** Adds a figure over time, for the charts (and the JSON). */
  void series(Series s) {
    series.add(s);
  }

  /** A line on the progress log (stderr), so that a long run shows where it is. */
  void progress(String line) {
    log.println(String.format(Locale.ROOT, "[%s] %s", name, line));
  }

  List<Measurement> measurements() {
    return measurements;
  }

  List<String> notes() {
    return notes;
  }

  List<Series> series() {
    return series;
  }
}
