package dev.asyncjobs.reliability.support;

import dev.asyncjobs.testing.Prerequisites;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL cluster of the test's own ({@code initdb} in a temporary directory, a free port), so
 * that the test may do to it what happens in production: kill the postmaster with SIGKILL (crash
 * recovery from the WAL at the next start), or stop it fast or immediately, and start it again on
 * the same data directory. The shared development server is never touched.
 *
 * <p>{@code postgres} runs as this JVM's own child (through {@code setpriv} as the {@code postgres}
 * user when the test runs as root, since PostgreSQL refuses root), so that a killed postmaster is
 * reaped here: {@code pg_ctl} would leave a zombie whose pid still holds {@code postmaster.pid}.
 */
public final class PrivatePostgres implements AutoCloseable {
  private static final Duration START_WAIT = Duration.ofSeconds(60);

  private final Path dir;
  private final Path data;
  private final Path bin;
  private final int port;
  private @Nullable Process server;

  private PrivatePostgres(Path dir, Path bin, int port) {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.bin = bin;
    this.port = port;
  }

  /**
   * {@return why {@code test} is skipped, or null when a private cluster can be made here} Missing
   * server binaries skip the test outside CI and fail it under {@code CI=true} ({@link Prerequisites}).
   *
   * @param test the test's name, for the messages
   */
  public static @Nullable String skipReason(String test) {
    return Prerequisites.skipReason(test, binaries() != null ? null
        : "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, postgres): install postgresql");
  }

  /** Creates and starts a cluster named after {@code name}. */
  public static PrivatePostgres start(String name) {
    Path bin = binaries();
    if (bin == null) {
      throw new IllegalStateException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, postgres)");
    }
    try {
      Path dir = Files.createTempDirectory("pg-" + name + "-");
      if (isRoot()) {
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
      }
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      PrivatePostgres pg = new PrivatePostgres(dir, bin, port);
      pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
          "--no-sync"));
      pg.startServer();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@return the cluster as the tests' server: database {@code postgres}, user {@code postgres}} */
  public TestPostgres.Server server() {
    return new TestPostgres.Server("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "", "private cluster in " + dir);
  }

  /**
   * Kills the postmaster with SIGKILL (its backends see it gone and exit), runs {@code whileDown},
   * then starts it again: crash recovery. {@return how long the start took until it answered}
   */
  public Duration crashAndRestart(Runnable whileDown) {
    Process p = requireServer();
    p.destroyForcibly(); // SIGKILL
    waitForExit(p);
    whileDown.run();
    return startServer();
  }

  /** {@code pg_ctl stop -m fast}, {@code whileDown}, and a start: SIGINT, a shutdown checkpoint, then the start. */
  public Duration restartFast(Runnable whileDown) {
    return restartWith("INT", whileDown);
  }

  /** {@code pg_ctl stop -m immediate}, {@code whileDown}, and a start: SIGQUIT, no checkpoint, crash recovery at the start. */
  public Duration restartImmediate(Runnable whileDown) {
    return restartWith("QUIT", whileDown);
  }

  private Duration restartWith(String signal, Runnable whileDown) {
    Process p = requireServer();
    run(List.of("kill", "-s", signal, Long.toString(p.pid())), false);
    waitForExit(p);
    whileDown.run();
    return startServer();
  }

  /**
   * Starts {@code postgres} and waits until it accepts connections; retries while the old
   * postmaster's backends still hold its shared memory. {@return how long until it answered}
   */
  private Duration startServer() {
    long t0 = System.nanoTime();
    long deadline = t0 + START_WAIT.toNanos();
    while (true) {
      Process p;
      try {
        p = new ProcessBuilder(asPostgres(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
            Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200")))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      while (p.isAlive() && System.nanoTime() < deadline) {
        if (answers()) {
          server = p;
          return Duration.ofNanos(System.nanoTime() - t0);
        }
        Waits.pause(Duration.ofMillis(50));
      }
      if (System.nanoTime() >= deadline) {
        p.destroyForcibly();
        throw new AssertionError("the private PostgreSQL in " + dir + " did not start within " + START_WAIT + "; see server.log");
      }
      Waits.pause(Duration.ofMillis(100)); // exited: the old backends still hold the shared memory
    }
  }

  private boolean answers() {
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("connectTimeout", "1");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props)) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  private Process requireServer() {
    Process p = server;
    if (p == null) {
      throw new IllegalStateException("not running");
    }
    return p;
  }

  private static void waitForExit(Process p) {
    try {
      if (!p.waitFor(START_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("postgres did not exit within " + START_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private void run(List<String> command) {
    run(asPostgres(command), true);
  }

  private void run(List<String> command, boolean check) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile())).start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || (check && p.exitValue() != 0)) {
        throw new AssertionError(command + " failed; see " + dir.resolve("commands.log"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static List<String> asPostgres(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> as = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    as.addAll(command);
    return as;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest server binaries installed, or null. */
  private static @Nullable Path binaries() {
    File[] versions = new File("/usr/lib/postgresql").listFiles();
    if (versions == null) {
      return null;
    }
    return Stream.of(versions).map(f -> f.toPath().resolve("bin"))
        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
        .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString()))).orElse(null);
  }

  private static int versionOf(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Stops the server at once and deletes the cluster. */
  @Override
  public void close() {
    Process p = server;
    if (p != null && p.isAlive()) {
      run(List.of("kill", "-s", "QUIT", Long.toString(p.pid())), false);
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a temporary directory: left behind at worst
    }
  }
}
