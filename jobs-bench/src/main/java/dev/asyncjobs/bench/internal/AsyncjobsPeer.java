package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.SQLException;
import java.time.Duration;

/**
 * asyncjobs in pg-peers: {@code createAll} for the batch enqueue; for the drain pg-throughput's
 * worker (concurrency 16, claims of 16); for pickup a worker with the default settings (poll
 * interval 1 s, woken by the store's events), which is also what "defaults" means here. Keeps every
 * job: COMPLETED rows with their results, and three event-log rows per job.
 */
final class AsyncjobsPeer implements PeerLibrary {
  private static final String JOBS = ThroughputRig.JOBS;

  private final BenchSchema schema;
  private final PostgresJobStore store;
  private final JobManager jobs;

  AsyncjobsPeer(PgServer server, int poolSize, StartProbe probe) throws Exception {
    BenchSchema s = server.newSchema("pg-peers-asyncjobs", poolSize);
    PostgresJobStore st = null;
    try {
      st = s.store();
      this.jobs = NoopGenerator.manager(st, new NoopGenerator(probe::started));
    } catch (Exception | Error e) {
      if (st != null) {
        st.close();
      }
      s.close();
      throw e;
    }
    this.schema = s;
    this.store = st;
  }

  @Override
  public String name() {
    return "asyncjobs";
  }

  @Override
  public BenchSchema schema() {
    return schema;
  }

  @Override
  public void reset() throws Exception {
    schema.execute("TRUNCATE " + schema.table(JOBS) + ", " + schema.table("jobs_quota_ledger") + ", " + schema.table("jobs_events"));
    settle();
  }

  @Override
  public void settle() throws Exception {
    schema.settle(JOBS, "jobs_events", "jobs_quota_ledger");
  }

  @Override
  public void enqueue(int first, int count, int batch) {
    Batches.createAll(jobs, first, count, batch);
  }

  @Override
  public Workers start(boolean tuned) {
    JobWorker worker = (tuned
        ? ThroughputRig.worker(jobs, ThroughputRig.CONCURRENCY, ThroughputRig.BATCH)
        : JobWorker.builder(jobs).build()).start();
    return new Workers() {
      @Override
      public void create(int seq) {
        jobs.create(Batches.request(seq));
      }

      @Override
      public void close() {
        worker.close();
      }
    };
  }

  @Override
  public Duration idleWait(boolean tuned) {
    // The worker hears of a new job from the store's events; the poll interval is a fallback.
    return Duration.ZERO;
  }

  @Override
  public String unfinished() {
    return CompletionCounter.anyIn(schema, JOBS, "status", "PENDING", "PROCESSING");
  }

  @Override
  public void checkFinished(int n) throws Exception {
    CompletionCounter.requireAll(schema, JOBS, "status", "COMPLETED", n, "asyncjobs");
  }

  @Override
  public void close() throws SQLException {
    try {
      jobs.close();
      store.close();
    } finally {
      schema.close();
    }
  }
}
