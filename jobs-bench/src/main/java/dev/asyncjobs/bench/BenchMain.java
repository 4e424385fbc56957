package dev.asyncjobs.bench;

import dev.asyncjobs.bench.internal.BenchRunner;

/**
 * The bench's entry point: {@code java -jar jobs-bench/target/jobs-bench.jar [scenario…] [--quick]}.
 * Prints a markdown table of each figure beside its baseline and writes the same figures to {@code
 * bench.json} next to the jar.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Runs the bench and exits with 0 (ran or skipped), 1 (a scenario failed) or 2 (bad arguments). */
  public static void main(String[] args) {
    int status = new BenchRunner(System.out, System.err).run(args);
    System.out.flush();
    System.exit(status);
  }
}
