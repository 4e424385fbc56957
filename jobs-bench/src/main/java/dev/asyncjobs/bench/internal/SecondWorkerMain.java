package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The second worker process of pg-throughput, started by {@link SecondWorkerProcess} from the
 * bench's own class path. Arguments: schema, concurrency, claim batch size; the server comes from
 * the same settings as the bench's. It answers commands on stdin, one a line: {@code START} builds
 * and starts a worker, {@code STOP} closes it, {@code EXIT} (or the end of stdin) ends the process.
 * Each is acknowledged on stdout ({@code READY} first, then {@code STARTED}, {@code STOPPED}). The
 * store is opened by START and closed by STOP.
 */
public final class SecondWorkerMain {
  private SecondWorkerMain() {}

  /** Runs the command loop; see the class comment. */
  public static void main(String[] args) throws Exception {
    String schema = args[0];
    int concurrency = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    PgServer pg = PgServer.fromSettings();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    reply("READY");
    Running running = null;
    for (String line = in.readLine(); line != null && !line.equals("EXIT"); line = in.readLine()) {
      switch (line) {
        case "START" -> {
          if (running == null) {
            running = new Running(pg, schema, concurrency, batch);
          }
          reply("STARTED");
        }
        case "STOP" -> {
          if (running != null) {
            running.close();
            running = null;
          }
          reply("STOPPED");
        }
        default -> reply("UNKNOWN " + line);
      }
    }
    if (running != null) {
      running.close();
    }
  }

  /**
   * A store, manager and started worker; closed between runs, so that an idle second process does
   * not listen to the other runs' notifications (its JIT-compiled code stays warm).
   */
  private static final class Running implements AutoCloseable {
    private final PostgresJobStore store;
    private final JobManager jobs;
    private final JobWorker worker;

    Running(PgServer pg, String schema, int concurrency, int batch) {
      store = PostgresJobStore.builder().jdbcUrl(pg.url()).user(pg.user()).password(pg.password()).schema(schema).build();
      jobs = NoopGenerator.manager(store, new NoopGenerator());
      worker = ThroughputRig.worker(jobs, concurrency, batch).start();
    }

    @Override
    public void close() {
      worker.close();
      jobs.close();
      store.close();
    }
  }

  private static void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
