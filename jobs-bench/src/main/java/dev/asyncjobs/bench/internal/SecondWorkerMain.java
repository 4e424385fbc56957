package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The second process of the PostgreSQL scenarios, started by {@link SecondWorkerProcess} from the
 * bench's own class path. Arguments: schema, concurrency, claim batch size; the server comes from
 * the same settings as the bench's. It answers commands on stdin, one a line, each acknowledged on
 * stdout ({@code READY} first):
 *
 * <ul>
 *   <li>{@code START} builds and starts a worker (concurrency and batch as given): {@code STARTED};
 *   <li>{@code PICKUP} starts an idle worker with default settings whose generator prints {@code S
 *       <seq> <nanoTime>} when it starts job {@code seq}: {@code STARTED};
 *   <li>{@code SLEEPY <ms> <keep>} starts a worker (concurrency and batch as given) whose generator
 *       sleeps that many milliseconds per job, keeping limit slots when {@code keep} is true:
 *       {@code STARTED};
 *   <li>{@code LISTEN} subscribes to every owner's events and prints {@code E <jobId> <nanoTime>} for
 *       each CREATED event of type {@value #PROBE_TYPE}: {@code LISTENING};
 *   <li>{@code STOP} closes what the others opened: {@code STOPPED};
 *   <li>{@code EXIT} (or the end of stdin) ends the process.
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()}, which on Linux reads the machine-wide monotonic clock, so
 * the bench compares them with its own.
 */
public final class SecondWorkerMain {
  /** The type whose CREATED events {@code LISTEN} reports. */
  public static final String PROBE_TYPE = "probe";

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
      String[] words = line.split(" ");
      switch (words[0]) {
        case "START", "PICKUP", "LISTEN", "SLEEPY" -> {
          if (running == null) {
            long millis = words.length > 1 ? Long.parseLong(words[1]) : 0;
            boolean keep = words.length > 2 && Boolean.parseBoolean(words[2]);
            running = new Running(pg, schema, words[0], concurrency, batch, millis, keep);
          }
          reply(words[0].equals("LISTEN") ? "LISTENING" : "STARTED");
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
   * A store, manager and started worker (or subscription); closed between runs, so that an idle
   * second process reads no other run's events (its JIT-compiled code stays warm).
   */
  private static final class Running implements AutoCloseable {
    private final PostgresJobStore store;
    private final JobManager jobs;
    private final @Nullable JobWorker worker;
    private final @Nullable Subscription subscription;

    Running(PgServer pg, String schema, String mode, int concurrency, int batch, long sleepMillis, boolean keepSlots) {
      store = PostgresJobStore.builder().jdbcUrl(pg.url()).user(pg.user()).password(pg.password()).schema(schema).build();
      switch (mode) {
        case "PICKUP" -> {
          jobs = NoopGenerator.manager(store, new NoopGenerator(seq -> reply("S " + seq + " " + System.nanoTime())));
          worker = JobWorker.builder(jobs).build().start();
          subscription = null;
        }
        case "SLEEPY" -> {
          jobs = NoopGenerator.manager(store, PgLimitsScenario.sleepy(sleepMillis));
          worker = PgLimitsScenario.sleepyWorker(jobs, concurrency, keepSlots).build().start();
          subscription = null;
        }
        case "LISTEN" -> {
          jobs = NoopGenerator.manager(store, new NoopGenerator());
          worker = null;
          subscription = store.subscribe(EventSubscription.allOwners(), e -> {
            if (e.kind() == JobEvent.Kind.CREATED && e.type().equals(PROBE_TYPE)) {
              reply("E " + e.jobId() + " " + System.nanoTime());
            }
          });
        }
        default -> {
          jobs = NoopGenerator.manager(store, new NoopGenerator());
          worker = ThroughputRig.worker(jobs, concurrency, batch).start();
          subscription = null;
        }
      }
    }

    @Override
    public void close() {
      if (worker != null) {
        worker.close();
      }
      if (subscription != null) {
        subscription.close();
      }
      jobs.close();
      store.close();
    }
  }

  private static synchronized void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
