package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.store.postgres.internal.Binds;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.store.postgres.internal.WorkerWrites;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With a realistic mix (100,000 finished jobs, 1,000 pending) the claim statement, exactly as the
 * store sends it, never scans or joins the table, both with its parameters known (custom plan) and
 * as a prepared statement's generic plan; and the query that finds the ids to claim ({@code
 * jobs_due_ids}, V6) reads only the rows it claims, in claim order, on a table that was never
 * analysed and on one whose statistics say the queue is tiny.
 */
class ClaimPlanTest {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimPlanTest.class);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();

  @BeforeAll
  static void fill() {
    schema.storeBuilder(CLOCK).build().close();
    String jobs = schema.name() + ".jobs";
    Instant t = CLOCK.instant();
    schema.execute(
        "INSERT INTO " + jobs + " (id, owner_id, type, payload, status, progress, priority, attempts, created_at,"
            + " updated_at, started_at, finished_at, run_at, actual_duration, result)"
            + " SELECT gen_random_uuid(), 'owner-' || (i % 500), 'type_' || (i % 6), '{\"n\":1}',"
            + " CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'COMPLETED' END, 100, 1 + i % 10, 1,"
            + " ts - interval '1 hour', ts, ts - interval '1 minute', ts, ts - interval '1 hour', interval '42 seconds', '{}'"
            + " FROM generate_series(1, 100000) AS i, (SELECT timestamptz '" + t + "' - (random() * interval '30 days') AS ts) AS x",
        "INSERT INTO " + jobs + " (id, owner_id, type, payload, priority, created_at, updated_at, run_at)"
            + " SELECT gen_random_uuid(), 'owner-' || (i % 500), 'type_' || (i % 6), '{\"n\":1}', 1 + i % 10,"
            + " timestamptz '" + t + "', timestamptz '" + t + "', timestamptz '" + t + "' - (i || ' seconds')::interval"
            + " FROM generate_series(1, 1000) AS i",
        "ANALYZE " + jobs);
  }

  private static String explain(Handle h, String sql) {
    return h.createQuery("EXPLAIN " + sql)
        .bind("now", Binds.instant(CLOCK.instant()))
        .bind("leaseUntil", Binds.instant(CLOCK.instant().plus(Duration.ofMinutes(5))))
        .bind("worker", "w1")
        .bind("types", Binds.array("text", List.of("type_1", "type_2")))
        .bind("limit", 10)
        .mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
  }

  @Test
  void theClaimUsesThePartialPendingIndexAndNeverScansTheTable() {
    String claim = new WorkerWrites(new SchemaNames(schema.name(), "")).claimSql();
    Jdbi jdbi = Jdbi.create(schema.dataSource());
    jdbi.useTransaction(h -> {
      String custom = explain(h, claim);
      // A prepared statement's generic plan, as a server-side prepared claim may use after a few runs.
      String positional = claim.replaceAll("(?<!:):now\\b", "\\$1").replaceAll("(?<!:):leaseUntil\\b", "\\$2")
          .replaceAll("(?<!:):worker\\b", "\\$3").replaceAll("(?<!:):types\\b", "\\$4").replaceAll("(?<!:):limit\\b", "\\$5");
      h.execute("SET LOCAL plan_cache_mode = force_generic_plan");
      h.execute("PREPARE claim_plan(timestamptz, timestamptz, text, text[], int) AS " + positional);
      String generic = h.createQuery("EXPLAIN EXECUTE claim_plan(now(), now(), 'w1', '{type_1,type_2}', 10)")
          .mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
      h.execute("DEALLOCATE claim_plan");
      LOG.info("claim plan (custom):\n{}\nclaim plan (generic):\n{}", custom, generic);
      for (String plan : List.of(custom, generic)) {
        // The claimed ids are found once (an init plan calling jobs_due_ids) and their rows looked
        // up by primary key: never a scan or a join of the table, whatever the estimates.
        assertThat(plan).contains("InitPlan").contains("jobs_pkey").doesNotContainPattern("Seq Scan on jobs\\b")
            .doesNotContain("Sort").doesNotContain("Hash Join");
      }
    });
  }

  /**
   * The query of jobs_due_ids as shipped, with its parameters given and its own settings applied
   * for the transaction, as the function runs it.
   */
  private static String explainDueIds(Handle h, TestSchema where, boolean withTheFunctionsSettings) {
    String fn = where.name() + ".jobs_due_ids";
    String body = h.createQuery("SELECT prosrc FROM pg_proc WHERE oid = CAST(:f AS regprocedure)")
        .bind("f", fn + "(timestamptz, text[], integer)").mapTo(String.class).one();
    Matcher m = Pattern.compile("ARRAY\\((SELECT .*?SKIP LOCKED)\\)", Pattern.DOTALL).matcher(body);
    assertThat(m.find()).as("the query in %s", body).isTrue();
    String query = m.group(1).replace("p_now", "timestamptz '" + CLOCK.instant().plusSeconds(3600) + "'")
        .replace("p_types", "ARRAY['noop']").replace("p_limit", "16");
    if (withTheFunctionsSettings) {
      List<String> settings = h.createQuery("SELECT unnest(proconfig) FROM pg_proc WHERE oid = CAST(:f AS regprocedure)")
          .bind("f", fn + "(timestamptz, text[], integer)").mapTo(String.class).list();
      for (String setting : settings) {
        int eq = setting.indexOf('=');
        h.createQuery("SELECT set_config(:k, :v, true)").bind("k", setting.substring(0, eq))
            .bind("v", setting.substring(eq + 1)).mapTo(String.class).one();
      }
    }
    return h.createQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + query).mapTo(String.class).list().stream()
        .collect(Collectors.joining("\n"));
  }

  private static void insertPending(TestSchema where, int count) {
    where.execute("INSERT INTO " + where.name() + ".jobs (id, owner_id, type, payload, created_at, updated_at, run_at)"
        + " SELECT gen_random_uuid(), 'owner-' || (i % 50), 'noop', '{}', timestamptz '" + CLOCK.instant() + "',"
        + " timestamptz '" + CLOCK.instant() + "', timestamptz '" + CLOCK.instant() + "' - (i || ' ms')::interval"
        + " FROM generate_series(1, " + count + ") AS i");
  }

  /** In claim order, reading only the rows it claims: no sort, no bitmap of every due row. */
  private static void assertReadsOnlyWhatItClaims(String plan) {
    assertThat(plan).contains("Index Scan using jobs_pending_idx").doesNotContain("Sort").doesNotContain("Bitmap")
        .containsPattern("Index Scan using jobs_pending_idx on jobs j \\(actual rows=16 loops=1\\)");
  }

  @Test
  void onATableThatWasNeverAnalysedTheClaimReadsOnlyTheRowsItClaims() {
    try (TestSchema fresh = new TestSchema().open()) {
      fresh.storeBuilder(CLOCK).build().close();
      fresh.execute("ALTER TABLE " + fresh.name() + ".jobs SET (autovacuum_enabled = false)");
      insertPending(fresh, 20_000);
      assertThat(fresh.value("SELECT reltuples FROM pg_class WHERE oid = '" + fresh.name() + ".jobs'::regclass"))
          .as("no statistics yet").isEqualTo("-1");
      Jdbi.create(fresh.dataSource()).useTransaction(h -> {
        String planner = explainDueIds(h, fresh, false);
        String claim = explainDueIds(h, fresh, true);
        LOG.info("never analysed, planner's choice:\n{}\nas jobs_due_ids runs it:\n{}", planner, claim);
        // What V1-V5 did: the planner guesses one pending row, then sorts all 20,000.
        assertThat(planner).as("the control: this test sees the statistics-bound plan").contains("Sort");
        assertReadsOnlyWhatItClaims(claim);
      });
    }
  }

  @Test
  void withStatisticsThatSayTheQueueIsTinyTheClaimStillReadsOnlyTheRowsItClaims() {
    try (TestSchema misled = new TestSchema().open()) {
      misled.storeBuilder(CLOCK).build().close();
      misled.execute("ALTER TABLE " + misled.name() + ".jobs SET (autovacuum_enabled = false)");
      insertPending(misled, 10);
      misled.execute("ANALYZE " + misled.name() + ".jobs");
      insertPending(misled, 50_000);
      Jdbi.create(misled.dataSource()).useTransaction(h -> {
        String claim = explainDueIds(h, misled, true);
        LOG.info("statistics of 10 rows, 50,010 pending, as jobs_due_ids runs it:\n{}", claim);
        assertReadsOnlyWhatItClaims(claim);
      });
    }
  }
}
