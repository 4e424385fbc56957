package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;

/**
 * A worker process for the limit tests: a {@link JobWorker} of concurrency {@code worker.concurrency}
 * (default 8) on the PostgreSQL schema the test names, running {@link SlotGenerator}. It defines no
 * limit itself: the limits are the store's, defined by the test. Prints {@code READY <workerId>} once
 * it runs; on the input line {@code STOP} closes the worker gracefully, prints {@code STOPPED} and
 * exits; on end of input halts.
 *
 * <p>Argument: the worker id.
 */
public final class LimitedWorkerMain {
  private LimitedWorkerMain() {}

  /** Runs until STOP or end of input. */
  public static void main(String[] args) throws InterruptedException {
    String workerId = args[0];
    int concurrency = Integer.getInteger("worker.concurrency", 8);
    ChildDatabase db = ChildDatabase.fromSystemProperties();
    HikariDataSource pool = db.pool("worker-" + workerId, concurrency + 4);
    PostgresJobStore store = db.store(pool);
    JobManager jobs = JobManager.builder()
        .store(store)
        .generator(new SlotGenerator(pool, db.schema(), workerId))
        .quotaPolicy(QuotaPolicy.unlimited())
        .build();
    JobWorker worker = JobWorker.builder(jobs)
        .workerId(workerId)
        .concurrency(concurrency)
        .claimBatchSize(concurrency)
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .build()
        .start();

    StdinCommands.announceAndAwaitStop("READY " + workerId);
    worker.close();
    jobs.close();
    store.close();
    pool.close();
    StdinCommands.say("STOPPED " + workerId);
    System.exit(0);
  }
}
