package dev.asyncjobs.bench.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Progress reports per second that the PostgreSQL store absorbs from 16 running jobs, with the
 * worker's coalescing off (every report is a store write) and on (the default: at most one write
 * per job per 250 ms), against plain JDBC UPDATEs of the progress columns from 16 threads.
 */
final class PgProgressScenario implements Scenario {
  private static final int JOBS = 16;
  private static final String BASELINE = "baseline_jobs";

  @Override
  public String name() {
    return "pg-progress";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    long runNanos = Duration.ofMillis(run.size(5000, 1000)).toNanos();
    try (BenchSchema schema = run.pg().newSchema(name(), JOBS + 4); PostgresJobStore store = schema.store()) {
      schema.execute("CREATE TABLE " + schema.table(BASELINE) + " (LIKE " + schema.table("jobs") + " INCLUDING ALL)");
      run.progress("warm-up");
      measure(store, schema, Duration.ofMillis(300).toNanos(), Duration.ZERO);
      plainUpdates(schema, Duration.ofMillis(300).toNanos());

      double plain = plainUpdates(schema, runNanos);
      double[] off = measure(store, schema, runNanos, Duration.ZERO);
      double[] on = measure(store, schema, runNanos, null);
      run.record(Measurement.versus(
          "progress writes/s, coalescing off (every report written), 16 jobs vs plain JDBC UPDATE from 16 threads",
          "reports/s", off[0], plain, "plain JDBC UPDATE"));
      run.record(Measurement.versus(
          "progress reports/s taken, coalescing on (default 250 ms) vs off", "reports/s", on[0], off[0], "coalescing off"));
      run.record(Measurement.of("store writes/s with coalescing on (PROGRESS events)", "writes/s", on[1]));
      run.note(String.format(Locale.ROOT, "%s: %d jobs reporting as fast as they can for %.1f s per run.", name(), JOBS, runNanos / 1e9));
    }
  }

  /**
   * Runs {@link #JOBS} progress jobs for {@code runNanos}; {@code interval} is the worker's progress
   * interval ({@code null} for its default).
   *
   * @return reports per second, store writes (PROGRESS events) per second
   */
  private static double[] measure(PostgresJobStore store, BenchSchema schema, long runNanos, @Nullable Duration interval) throws Exception {
    schema.execute("TRUNCATE " + schema.table("jobs"));
    ProgressGenerator generator = new ProgressGenerator(runNanos, JOBS);
    LongAdder writes = new LongAdder();
    Subscription counting = store.subscribe(EventSubscription.allOwners(), e -> {
      if (e.kind() == JobEvent.Kind.PROGRESS) {
        writes.increment();
      }
    });
    try (JobManager jobs = JobManager.builder().store(store).generator(generator).quotaPolicy(QuotaPolicy.unlimited()).build()) {
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        requests.add(JobRequest.builder(Batches.OWNER, ProgressGenerator.TYPE).payload(NoopGenerator.payload(i)).build());
      }
      jobs.createAll(requests);
      JobWorker.Builder b = JobWorker.builder(jobs).concurrency(JOBS).claimBatchSize(JOBS);
      if (interval != null) {
        b.progressInterval(interval);
      }
      JobWorker worker = b.build().start();
      try {
        Timing.await(generator.finished(), Duration.ofNanos(runNanos).plusMinutes(2), "progress jobs");
      } finally {
        worker.close();
      }
    } finally {
      counting.close();
    }
    double seconds = runNanos / 1e9;
    return new double[] {generator.reports() / seconds, writes.sum() / seconds};
  }

  /** @return UPDATEs per second of 16 threads, each updating its own row's progress as fast as it can */
  private static double plainUpdates(BenchSchema schema, long runNanos) throws Exception {
    schema.execute("TRUNCATE " + schema.table(BASELINE),
        "INSERT INTO " + schema.table(BASELINE) + " (id, owner_id, type, payload, status, created_at, updated_at, run_at,"
            + " worker_id, lease_until, attempts, started_at)"
            + " SELECT gen_random_uuid(), 'o', 'progress', '{}', 'PROCESSING', now(), now(), now(), 'w', now() + interval '1 hour', 1, now()"
            + " FROM generate_series(1, " + JOBS + ")");
    List<UUID> ids = new ArrayList<>();
    try (Connection c = schema.pool().getConnection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT id FROM " + schema.table(BASELINE))) {
      while (rs.next()) {
        ids.add(rs.getObject(1, UUID.class));
      }
    }
    LongAdder updates = new LongAdder();
    CountDownLatch ready = new CountDownLatch(JOBS);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    String sql = "UPDATE " + schema.table(BASELINE) + " SET progress = ?, progress_message = ?, updated_at = now()"
        + " WHERE id = ? AND worker_id = 'w' AND status = 'PROCESSING'";
    for (UUID id : ids) {
      Thread t = new Thread(() -> {
        try (Connection c = schema.server().connect(); PreparedStatement st = c.prepareStatement(sql)) {
          ready.countDown();
          gate.await();
          long start = System.nanoTime();
          long n = 0;
          for (long elapsed = 0; elapsed < runNanos; elapsed = System.nanoTime() - start) {
            st.setInt(1, (int) (elapsed * 99 / runNanos));
            st.setString(2, "report " + n);
            st.setObject(3, id);
            st.executeUpdate();
            n++;
          }
          updates.add(n);
        } catch (Exception e) {
          failure.compareAndSet(null, e);
          ready.countDown();
        }
      }, "bench-progress-baseline");
      threads.add(t);
      t.start();
    }
    ready.await();
    gate.countDown();
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return updates.sum() / (runNanos / 1e9);
  }
}
