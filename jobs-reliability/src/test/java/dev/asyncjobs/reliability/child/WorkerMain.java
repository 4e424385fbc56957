package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process: a {@link JobWorker} on the PostgreSQL schema the test names, running {@link
 * RecordingGenerator}. Prints {@code READY <workerId> host-clock <instant> store-clock <instant>}
 * once it runs; on the input line {@code STOP}
 * closes the worker gracefully, prints {@code STOPPED} and exits; on end of input halts.
 *
 * <p>Argument: the worker id. System properties: {@code worker.leaseMillis} (default 30000), {@code
 * worker.concurrency} (4), {@code worker.pollMillis} (1000), {@code worker.rescueMillis} (the
 * worker's default), {@code worker.record} (false: whether
 * to record executions and lease losses in the side tables {@code executions} and {@code
 * worker_notes}).
 */
public final class WorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  /** Runs until STOP or end of input. */
  public static void main(String[] args) throws InterruptedException {
    String workerId = args[0];
    Duration lease = Duration.ofMillis(Long.getLong("worker.leaseMillis", 30_000));
    int concurrency = Integer.getInteger("worker.concurrency", 4);
    Duration poll = Duration.ofMillis(Long.getLong("worker.pollMillis", 1000));
    boolean record = Boolean.getBoolean("worker.record");
    Long rescueMillis = Long.getLong("worker.rescueMillis");

    ChildDatabase db = ChildDatabase.fromSystemProperties();
    HikariDataSource pool = db.pool("worker-" + workerId, concurrency + 4);
    PostgresJobStore store = db.store(pool);
    JobManager jobs = JobManager.builder()
        .store(store)
        .generator(new RecordingGenerator(record ? pool : null, record ? db.schema() : null, workerId))
        .quotaPolicy(QuotaPolicy.unlimited())
        .build();
    JobWorker.Builder builder = JobWorker.builder(jobs)
        .workerId(workerId)
        .concurrency(concurrency)
        .claimBatchSize(concurrency)
        .leaseDuration(lease)
        .pollInterval(poll)
        .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)))
        .shutdownGracePeriod(Duration.ofSeconds(5));
    if (rescueMillis != null) {
      builder.rescueInterval(Duration.ofMillis(rescueMillis));
    }
    if (record) {
      builder.listener(new NoteTaker(pool, db.schema() + ".worker_notes", workerId));
    }
    JobWorker worker = builder.build().start();

    StdinCommands.announceAndAwaitStop("READY " + workerId + " host-clock " + java.time.Instant.now() + " store-clock " + store.clock().instant());
    worker.close();
    jobs.close();
    store.close();
    pool.close();
    StdinCommands.say("STOPPED " + workerId);
    System.exit(0);
  }

  /** The DDL of the notes table, for the test to run before it starts workers. */
  public static String notesTableDdl(String schema) {
    return "CREATE TABLE " + schema + ".worker_notes (kind text NOT NULL, job_id uuid NOT NULL, attempt int NOT NULL,"
        + " worker_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())";
  }

  /** Writes the lease losses and rescues this worker saw, so that the test can account for every extra execution. */
  private static final class NoteTaker implements WorkerListener {
    private final DataSource pool;
    private final String table;
    private final String workerId;

    NoteTaker(DataSource pool, String table, String workerId) {
      this.pool = pool;
      this.table = table;
      this.workerId = workerId;
    }

    @Override
    public void onLeaseLost(Job job) {
      note("LEASE_LOST", job);
    }

    @Override
    public void onRescued(Job job) {
      note("RESCUED", job);
    }

    private void note(String kind, Job job) {
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (kind, job_id, attempt, worker_id) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, kind);
        ps.setObject(2, job.id());
        ps.setInt(3, job.attempts());
        ps.setString(4, workerId);
        ps.executeUpdate();
      } catch (SQLException e) {
        LOG.error("could not note {} of job {}", kind, job.id(), e);
      }
    }
  }
}
