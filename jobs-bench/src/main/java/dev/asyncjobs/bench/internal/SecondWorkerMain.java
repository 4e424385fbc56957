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
 * Each is acknowledged on stdout ({@code READY} first, then {@code STARTED}, {@code STOPPED}).
 */
public final class SecondWorkerMain {
  private SecondWorkerMain() {}

  /** Runs the command loop; see the class comment. */
  public static void main(String[] args) throws Exception {
    String schema = args[0];
    int concurrency = Integer.parseInt(args[1]);
    int batch = Integer.parseInt(args[2]);
    PgServer pg = PgServer.fromSettings();
    try (PostgresJobStore store =
            PostgresJobStore.builder().jdbcUrl(pg.url()).user(pg.user()).password(pg.password()).schema(schema).build();
        JobManager jobs = NoopGenerator.manager(store, new NoopGenerator())) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      reply("READY");
      JobWorker worker = null;
      for (String line = in.readLine(); line != null && !line.equals("EXIT"); line = in.readLine()) {
        switch (line) {
          case "START" -> {
            worker = ThroughputRig.worker(jobs, concurrency, batch).start();
            reply("STARTED");
          }
          case "STOP" -> {
            if (worker != null) {
              worker.close();
              worker = null;
            }
            reply("STOPPED");
          }
          default -> reply("UNKNOWN " + line);
        }
      }
      if (worker != null) {
        worker.close();
      }
    }
  }

  private static void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
