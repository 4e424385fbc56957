package dev.asyncjobs.reliability.support;

import dev.asyncjobs.testing.Deadline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A JVM started from this test's own class path running one {@code main} class. Its standard output
 * is the test's protocol channel (read line by line, waited on with deadlines); its standard error
 * goes to a file (replaced at each start). Its standard input stays open: the child's main treats end-of-input as "the test
 * is gone" and halts, so that no child outlives a test JVM that was itself killed.
 *
 * <p>{@link #close()} kills it (SIGKILL) if it still runs; tests close every child in {@code
 * finally} or {@code @AfterAll}.
 */
public final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Writer stdin;
  private final Path stderr;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition newLine = lock.newCondition();
  private final List<String> lines = new ArrayList<>();
  private boolean ended;

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readStdout, "child-stdout-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} with {@code jvmOptions} (system properties, heap) and {@code args}.
   * The child's standard error goes to {@code logDir/<name>.log}.
   */
  public static ChildJvm start(String name, Class<?> mainClass, List<String> jvmOptions, List<String> args, Path logDir) {
    return start(name, mainClass, jvmOptions, args, logDir, java.util.Map.of());
  }

  /** As {@link #start(String, Class, List, List, Path)}, with {@code environment} added to the child's. */
  public static ChildJvm start(
      String name, Class<?> mainClass, List<String> jvmOptions, List<String> args, Path logDir, java.util.Map<String, String> environment) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small, quick-starting JVMs: the machine has 2 cores shared by the test JVM and its children.
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xss512k");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().putAll(environment);
      Process p = builder.start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start child JVM " + name, e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lock.lock();
        try {
          lines.add(line);
          newLine.signalAll();
        } finally {
          lock.unlock();
        }
      }
    } catch (IOException e) {
      // the child died; what it printed so far stays readable
    } finally {
      lock.lock();
      try {
        ended = true;
        newLine.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** The name given at start. */
  public String name() {
    return name;
  }

  /** The operating system's process id. */
  public long pid() {
    return process.pid();
  }

  /** The file its standard error (its log) goes to. */
  public Path logFile() {
    return stderr;
  }

  /** Whether it still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Every line it printed so far. */
  public List<String> lines() {
    lock.lock();
    try {
      return List.copyOf(lines);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until it printed a line matching {@code wanted}.
   *
   * @throws AssertionError when it did not within {@code timeout}, or ended first; the message
   *     carries the end of its log
   */
  public String awaitLine(Predicate<String> wanted, Duration timeout, String what) {
    Deadline deadline = Deadline.after(timeout);
    lock.lock();
    try {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (wanted.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        if (ended || deadline.hasPassed()) {
          throw new AssertionError("child " + name + " printed no " + what + (ended ? " before it ended" : " within " + timeout)
              + "; stdout: " + lines + "; log tail: " + logTail());
        }
        newLine.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what + " of " + name, e);
    } finally {
      lock.unlock();
    }
  }

  /** Sends one line to its standard input. */
  public void send(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("child " + name + " does not read its input any more", e);
    }
  }

  /** Kills it with SIGKILL (no shutdown hook, no finally block runs) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** Waits for it to end; true when it did within {@code timeout}. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Its exit code; it must have ended. */
  public int exitValue() {
    return process.exitValue();
  }

  /** The last lines of its log, for failure messages. */
  public String logTail() {
    try {
      List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills it if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return "ChildJvm[" + name + ", pid " + process.pid() + "]";
  }
}
