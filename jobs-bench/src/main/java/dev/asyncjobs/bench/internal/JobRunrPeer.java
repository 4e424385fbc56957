package dev.asyncjobs.bench.internal;

import java.sql.SQLException;
import java.time.Duration;
import java.util.stream.IntStream;
import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

/**
 * JobRunr (open source) in pg-peers: its PostgreSQL storage provider with the schema as table
 * prefix, the Jackson mapper, a {@link JobRunrNoop} request whose handler only tells the probe its
 * sequence number. Built from its parts rather than {@code JobRunr.configure()}, which keeps one
 * server and scheduler in static state, while the scenario starts and stops several. Keeps every
 * job: SUCCEEDED rows with their JSON state history (by default it marks them DELETED after 36 h and
 * removes them 72 h after that).
 */
final class JobRunrPeer implements PeerLibrary {
  static final String VERSION = "8.7.0";
  static final int WORKERS = 16;
  /** The smallest poll interval a SQL storage provider accepts (a shorter one is refused). */
  static final Duration TUNED_POLL = Duration.ofSeconds(5);
  private static final String JOBS = "jobrunr_jobs";

  private final BenchSchema schema;
  private final JacksonJsonMapper json = new JacksonJsonMapper();
  private final PostgresStorageProvider storage;
  private final JobRequestScheduler scheduler;
  private final JobActivator activator;

  JobRunrPeer(PgServer server, int poolSize, StartProbe probe) throws Exception {
    BenchSchema s = server.newSchema("pg-peers-jobrunr", poolSize);
    try {
      // Runs JobRunr's own migrations in the schema.
      this.storage = new PostgresStorageProvider(s.pool(), s.name() + ".");
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
    this.schema = s;
    storage.setJobMapper(new JobMapper(json));
    this.scheduler = new JobRequestScheduler(storage);
    JobRunrNoop.Handler handler = new JobRunrNoop.Handler(probe);
    this.activator = new JobActivator() {
      @Override
      public <T> T activateJob(Class<T> type) {
        if (type != JobRunrNoop.Handler.class) {
          throw new IllegalArgumentException("pg-peers has no JobRunr job of type " + type);
        }
        return type.cast(handler);
      }
    };
  }

  @Override
  public String name() {
    return "JobRunr " + VERSION;
  }

  @Override
  public BenchSchema schema() {
    return schema;
  }

  @Override
  public void reset() throws Exception {
    schema.execute("TRUNCATE " + schema.table(JOBS));
    settle();
  }

  @Override
  public void settle() throws Exception {
    schema.settle(JOBS);
  }

  @Override
  public void enqueue(int first, int count, int batch) {
    for (int done = 0; done < count; ) {
      int n = Math.min(batch, count - done);
      int from = first + done;
      // One call per batch: JobRunr saves a stream in chunks of up to 5,000, so this is one save.
      scheduler.enqueue(IntStream.range(from, from + n).mapToObj(JobRunrNoop.Request::new));
      done += n;
    }
  }

  @Override
  public Workers start(boolean tuned) {
    BackgroundJobServerConfiguration config = BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration();
    if (tuned) {
      config.andWorkerCount(WORKERS).andPollInterval(TUNED_POLL);
    }
    BackgroundJobServer server = new BackgroundJobServer(storage, json, activator, config);
    server.start();
    return new Workers() {
      @Override
      public void create(int seq) {
        scheduler.enqueue(new JobRunrNoop.Request(seq));
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  @Override
  public Duration idleWait(boolean tuned) {
    return tuned ? TUNED_POLL : BackgroundJobServerConfiguration.DEFAULT_POLL_INTERVAL;
  }

  /** The worker count JobRunr picks when none is given (8 per core on platform threads). */
  static int defaultWorkers() {
    return org.jobrunr.server.configuration.BackgroundJobServerThreadType.getDefaultThreadType().getDefaultWorkerCount();
  }

  @Override
  public String unfinished() {
    // Two lookups on its state index; a failed job would go to SCHEDULED (a retry) and fail the check below.
    return CompletionCounter.anyIn(schema, JOBS, "state", "ENQUEUED", "PROCESSING");
  }

  @Override
  public void checkFinished(int n) throws Exception {
    CompletionCounter.requireAll(schema, JOBS, "state", "SUCCEEDED", n, name());
  }

  @Override
  public void close() throws SQLException {
    try {
      storage.close();
    } finally {
      schema.close();
    }
  }
}
