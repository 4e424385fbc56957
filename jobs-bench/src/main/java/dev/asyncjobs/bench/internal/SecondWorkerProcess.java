package dev.asyncjobs.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running {@link SecondWorkerMain} from this JVM's class path (the bench jar), so that
 * "two worker processes" are two processes. Talks to it line by line over stdin/stdout.
 */
final class SecondWorkerProcess implements AutoCloseable {
  private static final long REPLY_SECONDS = 120;

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  /** The timing lines ({@code S …}, {@code E …}) of PICKUP and LISTEN, apart from the replies. */
  private final BlockingQueue<String> timings = new LinkedBlockingQueue<>();

  private SecondWorkerProcess(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          (line.startsWith("S ") || line.startsWith("E ") ? timings : replies).add(line);
        }
      } catch (IOException e) {
        // the process ended; await() reports it
      }
      replies.add("<exited>");
    }, "bench-second-worker-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the process and waits until its store is open. */
  static SecondWorkerProcess start(PgServer pg, String schema, int concurrency, int batch) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path")));
    cmd.add(SecondWorkerMain.class.getName());
    cmd.add(schema);
    cmd.add(Integer.toString(concurrency));
    cmd.add(Integer.toString(batch));
    ProcessBuilder b = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    b.environment().put("JOBS_BENCH_JDBC_URL", pg.url());
    b.environment().put("JOBS_BENCH_JDBC_USER", pg.user());
    b.environment().put("JOBS_BENCH_JDBC_PASSWORD", pg.password());
    SecondWorkerProcess p = new SecondWorkerProcess(b.start());
    try {
      p.await("READY");
    } catch (IOException | RuntimeException e) {
      p.process.destroyForcibly();
      throw e;
    }
    return p;
  }

  /** Builds and starts its worker. */
  void startWorker() throws IOException, InterruptedException {
    send("START");
    await("STARTED");
  }

  /** Builds and starts a worker whose jobs each sleep {@code millis} ms, keeping limit slots when {@code keep}. */
  void startSleepyWorker(long millis, boolean keep) throws IOException, InterruptedException {
    send("SLEEPY " + millis + " " + keep);
    await("STARTED");
  }

  /** Starts an idle worker with default settings that reports when it starts each job. */
  void startPickupWorker() throws IOException, InterruptedException {
    send("PICKUP");
    await("STARTED");
  }

  /** Subscribes to every owner's events, reporting when each probe job's CREATED event arrives. */
  void startListening() throws IOException, InterruptedException {
    send("LISTEN");
    await("LISTENING");
  }

  /**
   * The next timing line split in its fields ({@code S seq nanos} or {@code E jobId nanos}), waiting
   * up to {@code seconds}.
   *
   * @throws IOException none arrived in time
   */
  String[] nextTiming(long seconds) throws IOException, InterruptedException {
    String line = timings.poll(seconds, TimeUnit.SECONDS);
    if (line == null) {
      throw new IOException("second process: no timing line within " + seconds + " s");
    }
    return line.split(" ");
  }

  /** Closes what START, PICKUP or LISTEN opened (a worker lets running jobs finish). */
  void stopWorker() throws IOException, InterruptedException {
    send("STOP");
    await("STOPPED");
  }

  private void send(String command) throws IOException {
    commands.write(command + "\n");
    commands.flush();
  }

  private void await(String expected) throws IOException, InterruptedException {
    String line = replies.poll(REPLY_SECONDS, TimeUnit.SECONDS);
    if (!expected.equals(line)) {
      throw new IOException("second worker process: expected " + expected + ", got " + (line == null ? "nothing" : line));
    }
  }

  /** Asks the process to exit, and kills it when it has not within 20 s. */
  @Override
  public void close() {
    try {
      send("EXIT");
      commands.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
