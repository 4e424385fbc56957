package dev.asyncjobs.examples.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The plain example runs as docs/http-api.md describes it: a job is created, runs, and completes. */
class PlainEmbeddingExampleTest {

  @Test
  void mainCreatesAJobAndPrintsItsResult() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PlainEmbeddingExample.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("created ").contains("PROGRESS").contains("COMPLETED: {\"demo\":true");
  }
}
