package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.store.postgres.internal.Migrations;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.io.File;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The shipped migrations: applied once, by one process among many, usable without the runner. */
class MigrationTest {
  private TestSchema schema;

  @BeforeEach
  void createSchema() {
    schema = new TestSchema().open();
  }

  @AfterEach
  void dropSchema() {
    schema.close();
  }

  private SchemaNames names(String prefix) {
    return new SchemaNames(schema.name(), prefix);
  }

  /** Applies the first {@code count} shipped files by hand, as an older release left the schema. */
  private void applyTheFirst(int count, SchemaNames names) {
    schema.execute("CREATE TABLE IF NOT EXISTS " + names.versionTable() + " (version integer PRIMARY KEY,"
        + " description text NOT NULL, installed_at timestamptz NOT NULL DEFAULT now())");
    for (Migrations.Migration m : Migrations.ALL.subList(0, count)) {
      schema.execute(names.substitute(m.script()));
    }
  }

  private List<String> versions(String prefix) {
    return schema.column("SELECT version FROM " + names(prefix).versionTable() + " ORDER BY version");
  }

  /**
   * V7, V9, V12 and V13 grant the columns they add to the roles that could insert jobs before them
   * (V12 also the budget ledger's reading); no version grants usage (V11's columns are the workers').
   */
  @Test
  void aWebRoleGrantedBeforeVersionSevenCreatesJobsWithMetadataAndResourcesAfterIt() {
    SchemaNames names = names("");
    applyTheFirst(6, names);
    String webRole = schema.name() + "_old_web";
    String grantsBeforeV7 = PostgresJobStore.webRoleGrants(schema.name(), "", webRole)
        .replace("metadata, resources, estimated_units, ", "").replaceAll(",\\s*budget_cost, budget_tokens, cache_key, cached_from", "")
        .replaceAll("(?m)^.*budget.*$", "");
    assertThat(grantsBeforeV7).doesNotContain("metadata").doesNotContain("resources").doesNotContain("budget")
        .doesNotContain("cache_key");
    schema.execute("CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'", grantsBeforeV7);
    try {
      assertThat(Migrations.migrate(schema.dataSource(), names)).containsExactly(7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
      assertThat(schema.value("SELECT bool_or(has_column_privilege('" + webRole + "', '" + names.jobs() + "', c, p))"
          + " FROM unnest(ARRAY['usage', 'attempt_usage']) AS c, unnest(ARRAY['INSERT', 'UPDATE']) AS p"))
          .as("any grant of usage to the role of before").isEqualTo("f");
      assertThat(schema.value("SELECT has_column_privilege('" + webRole + "', '" + names.jobs() + "', 'budget_tokens', 'INSERT')"
          + " AND has_table_privilege('" + webRole + "', '" + names.budgetLedger() + "', 'SELECT')"
          + " AND NOT has_table_privilege('" + webRole + "', '" + names.budgetLedger() + "', 'INSERT, UPDATE, DELETE')"))
          .as("V12 lets the role of before reserve budget and read its ledger, never write it").isEqualTo("t");
      assertThat(schema.value("SELECT has_column_privilege('" + webRole + "', '" + names.jobs() + "', 'cache_key', 'INSERT')"
          + " AND has_column_privilege('" + webRole + "', '" + names.jobs() + "', 'cached_from', 'INSERT')"
          + " AND NOT has_column_privilege('" + webRole + "', '" + names.jobs() + "', 'result', 'INSERT')"))
          .as("V13 lets the role of before insert cache keys and sources, never a result").isEqualTo("t");
      PGSimpleDataSource asWeb = new PGSimpleDataSource();
      asWeb.setURL(TestPostgres.server().url());
      asWeb.setUser(webRole);
      asWeb.setPassword("web");
      MutableClock clock = new MutableClock();
      try (PostgresJobStore web = PostgresJobStore.builder().dataSource(asWeb).schema(schema.name()).clock(clock)
          .autoMigrate(false).build()) {
        assertThat(web.rowLevelSecurityActive()).isTrue();
        var stored = web.insert(InsertRequest.of(NewJobBuilder.newJob(clock).owner("alice")
            .metadata(java.util.Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
            .resources("openai:gpt-image-1").units(3).build())).get(0);
        assertThat(web.find("alice", stored.id()).orElseThrow().metadata())
            .containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(schema.value("SELECT resources::text || ' ' || estimated_units FROM " + names.jobs()
            + " WHERE id = '" + stored.id() + "'")).isEqualTo("{openai:gpt-image-1} 3");
      }
    } finally {
      schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
    }
  }

  /** A job of type old that worker w0 runs (attempt 1, leased for an hour), as an older release wrote it. */
  private void insertRunning(SchemaNames names, MutableClock clock, String id) {
    String at = "timestamptz '" + clock.instant() + "'";
    schema.execute("INSERT INTO " + names.jobs() + " (id, owner_id, type, payload, status, attempts, worker_id, lease_until,"
        + " started_at, created_at, updated_at, run_at) VALUES ('" + id + "', 'o', 'old', '{}', 'PROCESSING', 1, 'w0', "
        + at + " + interval '1 hour', " + at + ", " + at + ", " + at + ", " + at + ")");
  }

  @Test
  void aSchemaAtVersionThreeWithJobsInItMovesToTheEventLogAndItsJobsRunOn() {
    SchemaNames names = names("");
    applyTheFirst(3, names);
    MutableClock clock = new MutableClock();
    schema.execute("INSERT INTO " + names.jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
        + " VALUES ('0190a000-0000-7000-8000-000000000001', 'o', 'old', '{}', now(), now(), now())");

    assertThat(Migrations.migrate(schema.dataSource(), names)).containsExactly(4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    assertThat(schema.value("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + names.jobs() + "'::regclass"
        + " AND tgname LIKE '%notify%'")).as("no notify trigger is left").isEqualTo("0");
    try (PostgresJobStore store = schema.storeBuilder(clock).autoMigrate(false).build()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(EventSubscription.allOwners(), events);
      var claimed = store.claim(new dev.asyncjobs.spi.ClaimRequest("w", java.util.Set.of("old"), 1, java.time.Duration.ofMinutes(1)));
      assertThat(claimed).hasSize(1);
      store.complete(new Completion(dev.asyncjobs.spi.Lease.of(claimed.get(0)), "{}", java.time.Duration.ofSeconds(1)));
      events.await(claimed.get(0).id(), JobEvent.Kind.COMPLETED, java.time.Duration.ofSeconds(20));
      assertThat(events.kindsOf(claimed.get(0).id())).containsExactly(JobEvent.Kind.STARTED, JobEvent.Kind.COMPLETED);
    }
  }

  /**
   * V9 on a table with jobs in it, pending and running: they get the defaults (no resources, one
   * unit, no deferrals), a job that was already running counts against a limit defined after the
   * upgrade, and they are claimed under it.
   */
  @Test
  void aSchemaAtVersionEightWithJobsInItGetsLimitsAndItsJobsRunOnUnderThem() {
    SchemaNames names = names("");
    applyTheFirst(8, names);
    MutableClock clock = new MutableClock();
    String at = "timestamptz '" + clock.instant() + "'";
    schema.execute(
        "INSERT INTO " + names.jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
            + " SELECT ('0190a000-0000-7000-8000-00000000000' || i)::uuid, 'o', 'old', '{}', " + at + ", " + at + ", " + at
            + " FROM generate_series(1, 3) AS i");
    insertRunning(names, clock, "0190a000-0000-7000-8000-000000000009");

    assertThat(Migrations.migrate(schema.dataSource(), names)).containsExactly(9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    assertThat(schema.value("SELECT string_agg(DISTINCT coalesce(resources::text, 'none') || '/' || estimated_units || '/'"
        + " || deferrals, ',') FROM " + names.jobs())).isEqualTo("none/1/0");
    try (PostgresJobStore store = schema.storeBuilder(clock).autoMigrate(false).build()) {
      ClaimRequest one = new ClaimRequest("w1", java.util.Set.of("old"), 5, java.time.Duration.ofMinutes(1));
      store.defineLimit(dev.asyncjobs.JobLimit.builder("old").maxRunning(2).build());
      var claimed = store.claim(one);
      assertThat(claimed).as("the job running since before the upgrade holds one of the two").hasSize(1);
      assertThat(claimed.get(0).deferrals()).isZero();
      assertThat(store.claim(one)).isEmpty();
      store.complete(new Completion(dev.asyncjobs.spi.Lease.of(claimed.get(0)), "{}", java.time.Duration.ofSeconds(1)));
      assertThat(store.claim(one)).hasSize(1);
      assertThat(store.limits()).singleElement().satisfies(l -> {
        assertThat(l.running()).isEqualTo(2);
        assertThat(l.waiting()).isEqualTo(1);
      });
    }
  }

  /**
   * V11 on a table with a job that was running across the upgrade: it has no usage, its worker
   * records some under the lease it held, and the completion keeps it.
   */
  @Test
  void aJobRunningAcrossTheUpgradeToVersionElevenRecordsItsUsage() {
    SchemaNames names = names("");
    applyTheFirst(10, names);
    MutableClock clock = new MutableClock();
    insertRunning(names, clock, "0190a000-0000-7000-8000-00000000000b");

    assertThat(Migrations.migrate(schema.dataSource(), names)).containsExactly(11, 12, 13, 14, 15, 16, 17, 18);
    try (PostgresJobStore store = schema.storeBuilder(clock).autoMigrate(false).build()) {
      var job = store.find(java.util.UUID.fromString("0190a000-0000-7000-8000-00000000000b")).orElseThrow();
      assertThat(job.usage()).isEqualTo(dev.asyncjobs.Usage.NONE);
      dev.asyncjobs.Usage used = dev.asyncjobs.Usage.of("gpt-4o").inputTokens(10).build();
      store.recordUsage(dev.asyncjobs.spi.Lease.of(job), used);
      var done = store.complete(new Completion(dev.asyncjobs.spi.Lease.of(job), "{}", java.time.Duration.ofSeconds(1)));
      assertThat(done.usage()).isEqualTo(used);
      assertThat(done.attemptUsage()).containsExactly(java.util.Map.entry(1, used));
    }
  }

  @Test
  void applyingTwiceIsANoOpTheSecondTime() {
    assertThat(Migrations.migrate(schema.dataSource(), names(""))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    String objects = "SELECT count(*) FROM pg_class WHERE relnamespace = '" + schema.name() + "'::regnamespace";
    String before = schema.value(objects);

    assertThat(Migrations.migrate(schema.dataSource(), names(""))).isEmpty();
    assertThat(versions("")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18");
    assertThat(schema.value(objects)).isEqualTo(before);
  }

  @Test
  void manyThreadsMigratingAtOnceMigrateOnce() throws Exception {
    int threads = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Integer>>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(pool.submit(() -> {
        go.await();
        return Migrations.migrate(schema.dataSource(), names(""));
      }));
    }
    go.countDown();
    List<List<Integer>> applied = new ArrayList<>();
    for (Future<List<Integer>> f : results) {
      applied.add(f.get(1, TimeUnit.MINUTES));
    }
    pool.shutdown();

    assertThat(applied).filteredOn(a -> !a.isEmpty()).containsExactly(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18));
    assertThat(applied).filteredOn(List::isEmpty).hasSize(threads - 1);
    assertThat(versions("")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18");
  }

  @Test
  void aMissingSchemaIsCreated() {
    String fresh = schema.name() + "_new";
    try {
      assertThat(Migrations.migrate(schema.dataSource(), new SchemaNames(fresh, ""))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
      assertThat(schema.value("SELECT count(*) FROM " + fresh + ".jobs")).isEqualTo("0");
    } finally {
      schema.execute("DROP SCHEMA IF EXISTS " + fresh + " CASCADE");
    }
  }

  @Test
  void withoutAutoMigrateAnOutdatedSchemaIsRefusedNamingTheFilesToApply() {
    assertThatThrownBy(() -> schema.storeBuilder(new MutableClock()).autoMigrate(false).build())
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("autoMigrate")
        .hasMessageContaining("V1__jobs.sql")
        .hasMessageContaining("V2__functions.sql")
        .hasMessageContaining("V3__statement_notifications.sql");
    assertThat(schema.value("SELECT to_regclass('" + schema.name() + ".jobs') IS NULL")).isEqualTo("t");
  }

  /**
   * What a Flyway or Liquibase user does: the shipped files, placeholders replaced, run in order by
   * another tool; the store then starts with autoMigrate off and works.
   */
  @Test
  void theShippedFilesAppliedByAnotherToolSatisfyAStoreWithoutAutoMigrate() {
    for (Migrations.Migration m : Migrations.ALL) {
      String script = m.script();
      assertThat(script).contains("${schema}.${prefix}jobs");
      schema.execute(script.replace("${schema}", schema.name()).replace("${prefix}", "app_"));
    }
    try (PostgresJobStore store = schema.storeBuilder(new MutableClock()).tablePrefix("app_").autoMigrate(false).build()) {
      store.insert(InsertRequest.of(NewJobBuilder.newJob(store.clock()).build()));
      assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".app_jobs")).isEqualTo("1");
    }
  }

  @Test
  void theListOfMigrationsIsEveryFileShipped() throws URISyntaxException {
    File dir = new File(Migrations.class.getClassLoader().getResource(Migrations.LOCATION).toURI());
    List<String> shipped =
        Arrays.stream(dir.list())
            .sorted(java.util.Comparator.comparingInt((String n) -> Integer.parseInt(n.substring(1, n.indexOf("__")))))
            .collect(Collectors.toList());
    assertThat(Migrations.ALL.stream().map(Migrations.Migration::fileName)).containsExactlyElementsOf(shipped);
    for (Migrations.Migration m : Migrations.ALL) {
      assertThat(m.fileName()).startsWith("V" + m.version() + "__").endsWith(".sql");
    }
  }

  @Test
  void twoPrefixesShareASchemaWithoutSeeingEachOther() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore a = schema.storeBuilder(clock).tablePrefix("a_").build();
        PostgresJobStore b = schema.storeBuilder(clock).tablePrefix("b_").build()) {
      EventRecorder eventsOfB = new EventRecorder();
      b.subscribe(EventSubscription.allOwners(), eventsOfB);
      a.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build()));
      var inB = b.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);

      assertThat(b.query(JobQuery.allOwners().build()).items()).extracting(j -> j.id()).containsExactly(inB.id());
      JobEvent first = eventsOfB.await(e -> true, java.time.Duration.ofSeconds(10), "an event of store b");
      assertThat(first.jobId()).as("the first event b hears is of its own job").isEqualTo(inB.id());
      assertThat(versions("a_")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18");
      assertThat(versions("b_")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18");
    }
  }
}
