package dev.asyncjobs.bench.internal;

/** One benchmark: it measures the library and, in the same run, its baseline. */
interface Scenario {

  /** The name on the command line and in the table, e.g. {@code pg-throughput}. */
  String name();

  /** Whether it needs PostgreSQL (it is skipped when the server cannot be reached). */
  boolean needsPostgres();

  /** Runs, recording figures and notes into {@code run}. */
  void run(ScenarioRun run) throws Exception;
}
