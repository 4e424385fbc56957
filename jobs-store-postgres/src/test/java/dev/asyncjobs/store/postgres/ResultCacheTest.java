package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.RestrictedRole.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.store.postgres.internal.Binds;
import dev.asyncjobs.store.postgres.internal.Reads;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The result cache on PostgreSQL (V13): findCached reads jobs_cache_idx; a cached copy is inserted
 * COMPLETED with its source's result (the database copies it), logged as CREATED then COMPLETED
 * once, whoever inserts it, and never claimed; a web tier's role (a real unprivileged role under
 * row-level security) copies only its own owner's completed jobs and can never make up a result.
 */
class ResultCacheTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();
  private static final String KEY = "k".repeat(64);
  private static RestrictedRole web;
  private static RestrictedRole wholeRows;

  @BeforeAll
  static void setUp() {
    schema.storeBuilder(CLOCK).build().close();
    web = RestrictedRole.web(schema, "web");
    wholeRows = RestrictedRole.wholeRows(schema, "rows");
  }

  @AfterAll
  static void tearDown() {
    web.close();
    wholeRows.close();
  }

  @BeforeEach
  void emptyTables() {
    schema.execute("TRUNCATE " + schema.table("jobs") + ", " + schema.table("jobs_quota_ledger") + ", "
        + schema.table("jobs_events") + ", " + schema.table("jobs_budget_ledger"));
  }

  private static NewJob keyed(String owner, CachedResult cached) {
    NewJob nj = NewJobBuilder.newJob(CLOCK).owner(owner).build();
    return new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(), nj.runAt(),
        nj.estimatedDuration(), nj.idempotencyKey(), nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY, cached);
  }

  /** A completed job of {@code owner} with {@code KEY} that ran, written as a worker's completion would. */
  private static UUID completedSource(String owner, String result) {
    UUID id = UUID.randomUUID();
    Instant t = CLOCK.instant();
    schema.execute("INSERT INTO " + schema.table("jobs") + " (id, owner_id, type, payload, status, progress, attempts, result,"
        + " created_at, updated_at, started_at, finished_at, run_at, cache_key) VALUES ('" + id + "', '" + owner + "', '"
        + NewJobBuilder.DEFAULT_TYPE + "', '{}', 'COMPLETED', 100, 1, '" + result + "', timestamptz '" + t + "', timestamptz '" + t
        + "', timestamptz '" + t + "', timestamptz '" + t + "', timestamptz '" + t + "', '" + KEY + "')");
    return id;
  }

  /** The job's events, {@code kind:status:progress} in log order. */
  private static String events(UUID job) {
    return schema.value("SELECT string_agg(kind || ':' || status || ':' || progress, ',' ORDER BY seq) FROM "
        + schema.table("jobs_events") + " WHERE job_id = '" + job + "'");
  }

  @Test
  void findCachedReadsThePartialIndexOfOneOrAnyOwner() {
    String jobs = schema.table("jobs");
    Instant t = CLOCK.instant();
    schema.execute(
        // 50,000 finished jobs, a fifth of them keyed (1,000 keys), some of those copies; 500 pending keyed ones.
        "INSERT INTO " + jobs + " (id, owner_id, type, payload, status, progress, attempts, created_at, updated_at, finished_at,"
            + " run_at, result, cache_key)"
            + " SELECT gen_random_uuid(), 'owner-' || (i % 200), 'type_' || (i % 6), '{}',"
            + " CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 100, 1, ts, ts, ts, ts, '{}',"
            + " CASE WHEN i % 5 = 0 THEN md5((i % 1000)::text) END"
            + " FROM generate_series(1, 50000) AS i, LATERAL (SELECT timestamptz '" + t + "' - (i % 43200) * interval '1 minute' AS ts) AS x",
        // copies (an update: the insert trigger would want real sources)
        "UPDATE " + jobs + " SET cached_from = gen_random_uuid() WHERE cache_key IS NOT NULL AND random() < 0.3",
        "INSERT INTO " + jobs + " (id, owner_id, type, payload, created_at, updated_at, run_at, cache_key)"
            + " SELECT gen_random_uuid(), 'owner-' || (i % 200), 'type_1', '{}', now(), now(), now(), md5((i % 1000)::text)"
            + " FROM generate_series(1, 500) AS i",
        "ANALYZE " + jobs);
    Reads reads = new Reads(new SchemaNames(schema.name(), ""));
    Jdbi.create(schema.dataSource()).useHandle(h -> {
      for (Duration ttl : List.of(Duration.ofMinutes(1), Duration.ofDays(7), Duration.ofDays(365)))
      for (boolean ofOwner : List.of(true, false)) {
        var q = h.createQuery("EXPLAIN " + reads.findCachedSql(ofOwner)).bind("key", "0123456789abcdef0123456789abcdef")
            .bind("since", Binds.instant(t.minus(ttl)));
        if (ofOwner) {
          q.bind("owner", "owner-5");
        }
        String plan = q.mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
        assertThat(plan).as(plan).contains("jobs_cache_idx").doesNotContain("Seq Scan").doesNotContain("jobs_finished_idx");
      }
      for (boolean ofOwner : List.of(true, false)) {
        var q = h.createQuery("EXPLAIN " + reads.findRunningSql(ofOwner)).bind("key", "0123456789abcdef0123456789abcdef")
            .bind("dueBy", Binds.instant(t));
        if (ofOwner) {
          q.bind("owner", "owner-5");
        }
        String plan = q.mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
        assertThat(plan).as(plan).contains("jobs_cache_running_idx").doesNotContain("Seq Scan");
      }
    });
  }

  @Test
  void aCopyIsCompletedWithItsSourcesResultLoggedOnceAndNeverClaimed() {
    UUID source = completedSource("alice", "{\"url\": \"x\"}");
    CLOCK.advance(Duration.ofSeconds(1));
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build()) {
      NewJob plain = NewJobBuilder.newJob(CLOCK).owner("alice").build();
      NewJob copy = keyed("alice", new CachedResult(source, "{\"url\":\"x\"}"));
      NewJob runs = keyed("alice", null);
      List<Job> made = store.insert(InsertRequest.of(List.of(plain, copy, runs)));

      Job cached = made.get(1);
      assertThat(cached.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(cached.cachedFrom()).isEqualTo(source);
      assertThat(cached.result()).isEqualTo("{\"url\": \"x\"}");
      assertThat(cached.finishedAt()).isEqualTo(CLOCK.instant());
      assertThat(store.find(cached.id())).contains(cached);
      assertThat(made.get(2).status()).isEqualTo(JobStatus.PENDING);
      assertThat(made.get(2).cacheKey()).isEqualTo(KEY);
      assertThat(made.get(0).cacheKey()).isNull();

      assertThat(events(plain.id())).isEqualTo("CREATED:PENDING:0");
      assertThat(events(copy.id())).isEqualTo("CREATED:PENDING:0,COMPLETED:COMPLETED:100");
      assertThat(events(runs.id())).isEqualTo("CREATED:PENDING:0");
      assertThat(schema.value("SELECT string_agg(job_id::text, ',' ORDER BY seq) FROM " + schema.table("jobs_events")
          + " WHERE job_id <> '" + source + "'"))
          .as("in request order").isEqualTo(plain.id() + "," + copy.id() + "," + copy.id() + "," + runs.id());

      List<Job> claimed = store.claim(new ClaimRequest("w1", Set.of(NewJobBuilder.DEFAULT_TYPE), 10, Duration.ofMinutes(1)));
      assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrder(plain.id(), runs.id());
      CLOCK.advance(Duration.ofMinutes(5));
      assertThat(store.rescueExpired(10)).extracting(Job::id).doesNotContain(cached.id());
      assertThat(store.findCached(KEY, "alice", CLOCK.instant().minus(Duration.ofDays(1)))).get().extracting(Job::id)
          .as("a copy is never a source").isEqualTo(source);
      assertThat(store.deleteFinishedBefore(CLOCK.instant().plusSeconds(1), 100)).isGreaterThanOrEqualTo(2);
      assertThat(store.find(cached.id())).as("retention deletes a copy like any finished job").isEmpty();
    }
  }

  @Test
  void theTablesOwnerMayCopyOrJoinAnyOwnersJobButNeverACopyOrAWaitingJob() {
    UUID bobs = completedSource("bob", "{\"v\": 1}");
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build()) {
      Job cached = store.insert(InsertRequest.of(keyed("alice", new CachedResult(bobs, "{\"v\":1}")))).get(0);
      assertThat(cached.result()).isEqualTo("{\"v\": 1}");
      Job pending = store.insert(InsertRequest.of(keyed("bob", null))).get(0);
      // A stale answer (the manager saw a completed job; it is running again by now) joins it.
      Job waiting = store.insert(InsertRequest.of(keyed("alice", new CachedResult(pending.id(), "{}")))).get(0);
      assertThat(waiting.waitsForAnotherJob()).isTrue();
      assertThat(store.find(waiting.id())).contains(waiting);
      assertThat(events(waiting.id())).isEqualTo("CREATED:PENDING:0");
      assertThatThrownBy(() -> store.insert(InsertRequest.of(keyed("alice", new CachedResult(cached.id(), "{}")))))
          .hasMessageContaining("may not be cached from");
      assertThatThrownBy(() -> store.insert(InsertRequest.of(keyed("alice", CachedResult.joining(waiting.id())))))
          .hasMessageContaining("may not be cached from");
    }
  }

  @Test
  void aSourcesEndSettlesItsWaitingJobsLoggedByTheTriggersAndTheirBudgetsCountNothing() {
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build()) {
      Job source = store.insert(InsertRequest.of(keyed("bob", null))).get(0);
      Job claimed = store.claim(new ClaimRequest("w1", Set.of(NewJobBuilder.DEFAULT_TYPE), 1, Duration.ofMinutes(1))).get(0);
      NewJob nj = keyed("alice", CachedResult.joining(source.id()));
      Job waiting = store.insert(InsertRequest.of(nj).withBudgets(new dev.asyncjobs.spi.BudgetCheck(Map.of(),
          Map.of(nj.id(), new dev.asyncjobs.BudgetAmount(new java.math.BigDecimal("0.5"), 10))))).get(0);
      assertThat(waiting.budgetReserved()).isNotNull();
      assertThat(schema.value("SELECT cost || '/' || tokens FROM " + schema.table("jobs_budget_ledger") + " WHERE job_id = '"
          + waiting.id() + "'")).isEqualTo("0.5/10");

      store.complete(new Completion(new Lease(claimed.id(), claimed.workerId(), claimed.attempts()), "{\"v\": 3}", Duration.ofMillis(5)));

      assertThat(store.find(waiting.id()).orElseThrow().result()).isEqualTo("{\"v\": 3}");
      assertThat(events(waiting.id())).isEqualTo("CREATED:PENDING:0,COMPLETED:COMPLETED:100");
      assertThat(events(source.id())).as("the source's own events once each")
          .isEqualTo("CREATED:PENDING:0,STARTED:PROCESSING:0,COMPLETED:COMPLETED:100");
      assertThat(schema.value("SELECT cost || '/' || tokens FROM " + schema.table("jobs_budget_ledger") + " WHERE job_id = '"
          + waiting.id() + "'")).isEqualTo("0/0");
    }
  }

  /**
   * Sources completing while other threads join them: every joiner ends COMPLETED with its source's
   * result, none is left waiting (the share lock orders each join against the completion).
   */
  @Test
  void joinsRacingTheSourcesCompletionNeverStrandAJob() throws Exception {
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build()) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
      try {
        List<UUID> joiners = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int round = 0; round < 20; round++) {
          Job source = store.insert(InsertRequest.of(keyed("bob", null))).get(0);
          Job claimed = store.claim(new ClaimRequest("w1", Set.of(NewJobBuilder.DEFAULT_TYPE), 1, Duration.ofMinutes(1))).get(0);
          assertThat(claimed.id()).isEqualTo(source.id());
          java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
          List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
          for (int t = 0; t < 5; t++) {
            done.add(pool.submit(() -> {
              go.await();
              for (int i = 0; i < 4; i++) {
                joiners.add(store.insert(InsertRequest.of(keyed("alice", CachedResult.joining(source.id())))).get(0).id());
              }
              return null;
            }));
          }
          done.add(pool.submit(() -> {
            go.await();
            store.complete(new Completion(new Lease(claimed.id(), claimed.workerId(), claimed.attempts()), "{\"round\": "
                + claimed.id().hashCode() + "}", Duration.ofMillis(1)));
            return null;
          }));
          go.countDown();
          for (java.util.concurrent.Future<?> f : done) {
            f.get(30, java.util.concurrent.TimeUnit.SECONDS);
          }
        }
        assertThat(joiners).hasSize(20 * 5 * 4);
        assertThat(schema.value("SELECT count(*) FROM " + schema.table("jobs") + " AS j WHERE j.owner_id = 'alice'"
            + " AND j.status = 'COMPLETED' AND j.result = (SELECT s.result FROM " + schema.table("jobs") + " AS s WHERE s.id = j.cached_from)"))
            .isEqualTo(String.valueOf(joiners.size()));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void theWebRoleCopiesOnlyItsOwnersCompletedJobsAndNeverMakesUpAResult() throws SQLException {
    UUID alices = completedSource("alice", "{\"v\": 1}");
    UUID bobs = completedSource("bob", "{\"v\": 2}");
    try (HikariDataSource pool = new HikariDataSource(); PostgresJobStore store = web.store(CLOCK, pool)) {
      assertThat(store.rowLevelSecurityActive()).isTrue();
      Instant since = CLOCK.instant().minusSeconds(60);
      assertThat(store.findCached(KEY, "alice", since)).get().extracting(Job::id).isEqualTo(alices);
      assertThat(store.findCached(KEY, null, since)).as("no owner named: nothing is visible").isEmpty();
      Job cached = store.insert(InsertRequest.of(keyed("alice", new CachedResult(alices, "{\"v\":1}")))).get(0);
      assertThat(cached.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(store.find("alice", cached.id()).orElseThrow().result()).isEqualTo("{\"v\": 1}");
      assertThat(events(cached.id())).as("logged by the triggers").isEqualTo("CREATED:PENDING:0,COMPLETED:COMPLETED:100");
      // Another owner's job is as gone to this role: the job runs itself, and the answer says nothing of bob's job.
      Job notCopied = store.insert(InsertRequest.of(keyed("alice", new CachedResult(bobs, "{\"v\":2}")))).get(0);
      assertThat(notCopied.status()).isEqualTo(JobStatus.PENDING);
      assertThat(store.find("alice", notCopied.id()).orElseThrow().cachedFrom()).isNull();
      assertThat(store.find("alice", notCopied.id()).orElseThrow().result()).isNull();
      // Joining: its own owner's unfinished job, never another owner's.
      Job alicesRunning = store.insert(InsertRequest.of(keyed("alice", null))).get(0);
      Job bobsRunning;
      try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
        bobsRunning = owner.insert(InsertRequest.of(keyed("bob", null))).get(0);
      }
      // alice's unfinished originals of the key (the job of just now that was not copied is one too), never bob's
      assertThat(store.findRunning(KEY, "alice", CLOCK.instant())).get().extracting(Job::id).isIn(alicesRunning.id(), notCopied.id());
      Job waiting = store.insert(InsertRequest.of(keyed("alice", CachedResult.joining(alicesRunning.id())))).get(0);
      assertThat(waiting.waitsForAnotherJob()).isTrue();
      assertThat(store.find("alice", waiting.id())).contains(waiting);
      Job notJoined = store.insert(InsertRequest.of(keyed("alice", CachedResult.joining(bobsRunning.id())))).get(0);
      assertThat(store.find("alice", notJoined.id()).orElseThrow().waitsForAnotherJob()).as("never another owner's").isFalse();
      // The web tier cancels its owner's source: the waiting job runs in its place.
      store.cancel("alice", alicesRunning.id());
      assertThat(store.find("alice", waiting.id()).orElseThrow().waitsForAnotherJob()).isFalse();
    }
    String jobs = schema.table("jobs");
    String columns = " (id, owner_id, type, payload, created_at, updated_at, run_at, cache_key, cached_from";
    try (Connection c = web.as("alice")) {
      UUID plain = UUID.randomUUID();
      try (var st = c.createStatement()) {
        st.execute("INSERT INTO " + jobs + columns + ") VALUES ('" + plain + "', 'alice', 't', '{}', now(), now(), now(), '" + KEY + "', '"
            + bobs + "')");
      }
      assertThat(schema.value("SELECT status || ' ' || coalesce(cached_from::text, '-') || ' ' || coalesce(result::text, '-') FROM "
          + jobs + " WHERE id = '" + plain + "'")).as("bob's job is not the web role's to copy").isEqualTo("PENDING - -");
      refused(c, "INSERT INTO " + jobs + columns + ", result) VALUES (gen_random_uuid(), 'alice', 't', '{}', now(), now(), now(), '" + KEY + "', '"
          + alices + "', '{\"v\": 9}')", "permission denied");
    }
    try (Connection c = wholeRows.as("alice")) {
      refused(c, "INSERT INTO " + jobs + " (id, owner_id, type, payload, created_at, updated_at, run_at, status, progress, result,"
          + " finished_at, cache_key)"
          + " VALUES (gen_random_uuid(), 'alice', 't', '{}', now(), now(), now(), 'COMPLETED', 100, '{\"v\": 9}', now(), '" + KEY + "')",
          "may insert new PENDING jobs only");
      UUID id = UUID.randomUUID();
      try (var st = c.createStatement()) {
        st.execute("INSERT INTO " + jobs + columns + ", status, result) VALUES ('" + id + "', 'alice', 't', '{}', now(), now(), now(), '" + KEY + "', '"
            + alices + "', 'PENDING', '{\"v\": 9}')");
      }
      assertThat(schema.value("SELECT status || ' ' || result::text FROM " + jobs + " WHERE id = '" + id + "'"))
          .as("the database writes the source's result, whatever the insert named").isEqualTo("COMPLETED {\"v\": 1}");
      assertThat(events(id)).isEqualTo("CREATED:PENDING:0,COMPLETED:COMPLETED:100");
    }
  }
}
