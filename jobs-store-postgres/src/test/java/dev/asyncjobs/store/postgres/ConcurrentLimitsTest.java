package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.Deadline;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits under many claimers at once, as several processes would claim: three store instances,
 * each with its own pool (separate database sessions), four threads each. What the limits allowed
 * is read from the database afterwards, never from the threads' timing: a trigger of this test
 * counts the PROCESSING jobs under each name in commit order, and a copy of the limit ledger keeps
 * every reservation and settlement (a ledger row per claim, name and worker).
 */
class ConcurrentLimitsTest {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentLimitsTest.class);
  private static final int STORES = 3;
  private static final int THREADS_PER_STORE = 4;
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private final List<PostgresJobStore> stores = new ArrayList<>();
  private String s;

  @BeforeEach
  void openStores() {
    s = schema.name();
    schema.emptyStore(Clock.systemUTC()).close();
    TestPostgres.Server server = TestPostgres.server();
    for (int i = 0; i < STORES; i++) {
      stores.add(PostgresJobStore.builder().jdbcUrl(server.url()).user(server.user()).password(server.password())
          .maxPoolSize(THREADS_PER_STORE).schema(s).clock(Clock.systemUTC()).build());
    }
    schema.execute("DROP TABLE IF EXISTS " + s + ".test_running", "DROP TABLE IF EXISTS " + s + ".test_ledger");
  }

  @AfterEach
  void closeStores() {
    stores.forEach(PostgresJobStore::close);
    stores.clear();
    schema.execute("DROP TRIGGER IF EXISTS test_running ON " + s + ".jobs",
        "DROP TRIGGER IF EXISTS test_ledger ON " + s + ".jobs_limit_ledger");
  }

  /** One claim-work-finish loop per thread until {@code done} says every job ended; returns the claim calls. */
  private int runClaimers(Set<String> types, int batch, Worker work, java.util.function.BooleanSupplier done) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(STORES * THREADS_PER_STORE);
    List<Future<?>> results = new ArrayList<>();
    Deadline deadline = Deadline.after(DEADLINE);
    for (int t = 0; t < STORES * THREADS_PER_STORE; t++) {
      PostgresJobStore store = stores.get(t % STORES);
      String worker = "w" + t;
      results.add(pool.submit(() -> {
        go.await();
        while (!done.getAsBoolean()) {
          if (deadline.hasPassed()) {
            throw new AssertionError("the jobs did not all end within " + DEADLINE);
          }
          calls.incrementAndGet();
          List<Job> got = store.claim(new ClaimRequest(worker, types, batch, Duration.ofMinutes(5)));
          for (Job j : got) {
            work.run(store, j);
          }
          if (got.isEmpty()) {
            Thread.onSpinWait();
          }
        }
        return null;
      }));
    }
    go.countDown();
    try {
      for (Future<?> f : results) {
        f.get(DEADLINE.toSeconds() + 30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return calls.get();
  }

  @FunctionalInterface
  private interface Worker {
    void run(PostgresJobStore store, Job job) throws Exception;
  }

  private boolean allEnded() {
    return schema.value("SELECT count(*) FROM " + s + ".jobs WHERE status <> 'COMPLETED'").equals("0");
  }

  private void insert(int n, NewJobBuilder b) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(b.build());
    }
    stores.get(0).insert(InsertRequest.of(jobs));
  }

  /**
   * A limit on a resource two types share, and one on one of the types: the database, counting in
   * commit order (one row of counters that every change into or out of PROCESSING updates under
   * its lock), never saw more PROCESSING jobs under a name than its limit allows, and saw the limit
   * reached.
   */
  @Test
  void manyClaimersOnThreeStoresNeverRunMoreThanTheLimitUnderAName() throws Exception {
    schema.execute(
        "CREATE TABLE " + s + ".test_running (id boolean PRIMARY KEY, gpu int NOT NULL, gpu_max int NOT NULL,"
            + " a int NOT NULL, a_max int NOT NULL)",
        "INSERT INTO " + s + ".test_running VALUES (true, 0, 0, 0, 0)",
        "CREATE OR REPLACE FUNCTION " + s + ".test_running() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " DECLARE d int := (NEW.status = 'PROCESSING')::int - (OLD.status = 'PROCESSING')::int;"
            + " dg int := CASE WHEN 'gpu' = ANY (NEW.resources) THEN d ELSE 0 END;"
            + " da int := CASE WHEN NEW.type = 'a' THEN d ELSE 0 END;"
            + " BEGIN IF d <> 0 THEN UPDATE " + s + ".test_running SET gpu = gpu + dg, gpu_max = greatest(gpu_max, gpu + dg),"
            + " a = a + da, a_max = greatest(a_max, a + da); END IF; RETURN NULL; END $$",
        "CREATE TRIGGER test_running AFTER UPDATE OF status ON " + s + ".jobs FOR EACH ROW EXECUTE FUNCTION " + s
            + ".test_running()");
    Clock clock = Clock.systemUTC();
    insert(60, NewJobBuilder.newJob(clock).type("a").resources("gpu"));
    insert(60, NewJobBuilder.newJob(clock).type("b").resources("gpu"));
    insert(60, NewJobBuilder.newJob(clock).type("c"));
    stores.get(1).defineLimit(JobLimit.builder("gpu").maxRunning(3).build());
    stores.get(2).defineLimit(JobLimit.builder("a").maxRunning(2).build());

    long t0 = System.nanoTime();
    int calls = runClaimers(Set.of("a", "b", "c"), 2, (store, job) -> {
      Thread.sleep(ThreadLocalRandom.current().nextInt(1, 4));
      store.complete(new Completion(Lease.of(job), "{}", Duration.ofMillis(2)));
    }, this::allEnded);
    long millis = (System.nanoTime() - t0) / 1_000_000;

    String seen = schema.value("SELECT gpu || '/' || gpu_max || '/' || a || '/' || a_max FROM " + s + ".test_running");
    LOG.info("180 jobs through maxRunning 3 (gpu) and 2 (a) by {} threads on {} stores: {} claim calls in {} ms;"
        + " running now/at most under gpu and a: {}", STORES * THREADS_PER_STORE, STORES, calls, millis, seen);
    assertThat(seen).as("running now / at most, under gpu / under a").isEqualTo("0/3/0/2");
    assertThat(schema.value("SELECT count(*) FROM " + s + ".jobs WHERE status = 'COMPLETED' AND attempts = 1")).isEqualTo("180");
  }

  /**
   * A units budget with claimers that settle less than they reserved: in every sliding interval the
   * units of the ledger (as finally settled; a settlement only lowers them) stay within the budget,
   * and more attempts started in some interval than the estimates alone would have let in, so the
   * units reported back made room inside the window.
   */
  @Test
  void aUnitsBudgetHoldsInEveryIntervalAndWhatAttemptsReportLessFreesRoom() throws Exception {
    schema.execute(
        "CREATE TABLE " + s + ".test_ledger (name text, started_at timestamptz, worker_id text, units bigint, attempts int,"
            + " PRIMARY KEY (name, started_at, worker_id))",
        "CREATE OR REPLACE FUNCTION " + s + ".test_ledger() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN INSERT INTO " + s + ".test_ledger VALUES (NEW.name, NEW.started_at, NEW.worker_id, NEW.units,"
            + " cardinality(NEW.job_ids)) ON CONFLICT (name, started_at, worker_id) DO UPDATE SET units = EXCLUDED.units,"
            + " attempts = EXCLUDED.attempts; RETURN NULL; END $$",
        "CREATE TRIGGER test_ledger AFTER INSERT OR UPDATE ON " + s + ".jobs_limit_ledger FOR EACH ROW EXECUTE FUNCTION "
            + s + ".test_ledger()");
    Clock clock = Clock.systemUTC();
    int jobs = 120;
    insert(jobs, NewJobBuilder.newJob(clock).type("u").resources("tokens").units(10));
    long budget = 100;
    Duration interval = Duration.ofMillis(500);
    stores.get(0).defineLimit(JobLimit.builder("tokens").maxUnits(budget, interval).build());

    AtomicInteger settledLess = new AtomicInteger();
    int calls = runClaimers(Set.of("u"), 3, (store, job) -> {
      long used = ThreadLocalRandom.current().nextLong(0, 11);
      if (used < 10) {
        settledLess.incrementAndGet();
      }
      store.complete(new Completion(Lease.of(job), "{}", Duration.ofMillis(1)));
      store.settleUnits(Lease.of(job), used);
    }, this::allEnded);

    String window = "b.name = a.name AND b.started_at > a.started_at - interval '" + interval.toMillis() + " milliseconds'"
        + " AND b.started_at <= a.started_at";
    String most = schema.value("SELECT max(w.units) || '/' || max(w.starts) FROM " + s + ".test_ledger AS a,"
        + " LATERAL (SELECT sum(b.units) AS units, sum(b.attempts) AS starts FROM " + s + ".test_ledger AS b WHERE " + window
        + ") AS w");
    LOG.info("{} jobs of 10 estimated units through {} units per {}: {} claim calls, {} settled below the estimate;"
        + " most units / starts in one interval: {}", jobs, budget, interval, calls, settledLess.get(), most);
    assertThat(schema.value("SELECT sum(attempts) FROM " + s + ".test_ledger")).as("attempts in the ledger")
        .isEqualTo(String.valueOf(jobs));
    long units = Long.parseLong(most.split("/")[0]);
    long starts = Long.parseLong(most.split("/")[1]);
    assertThat(units).as("units in the busiest interval").isLessThanOrEqualTo(budget);
    assertThat(starts).as("starts in the busiest interval, beyond the %d that estimates alone let in", budget / 10)
        .isGreaterThan(budget / 10);
  }
}
