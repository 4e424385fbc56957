package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.store.postgres.internal.Binds;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.store.postgres.internal.WorkerWrites;
import dev.asyncjobs.tck.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * store sends it, only calls {@code jobs_claim} (V9), both with its parameters known (custom plan)
 * and as a prepared statement's generic plan; no statement inside that function scans the table,
 * with limits or without; and the query that finds the ids to claim ({@code jobs_due_ids}, V6)
 * reads only the rows it claims, in claim order, on a table that was never analysed and on one
 * whose statistics say the queue is tiny.
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
        .bind("fair", false)
        .mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
  }

  @Test
  void theClaimStatementOnlyCallsJobsClaimWhateverItsPlan() {
    String claim = new WorkerWrites(new SchemaNames(schema.name(), "")).claimSql();
    Jdbi jdbi = Jdbi.create(schema.dataSource());
    jdbi.useTransaction(h -> {
      String custom = explain(h, claim);
      // A prepared statement's generic plan, as a server-side prepared claim may use after a few runs.
      String positional = claim.replaceAll("(?<!:):now\\b", "\\$1").replaceAll("(?<!:):leaseUntil\\b", "\\$2")
          .replaceAll("(?<!:):worker\\b", "\\$3").replaceAll("(?<!:):types\\b", "\\$4").replaceAll("(?<!:):limit\\b", "\\$5")
          .replaceAll("(?<!:):fair\\b", "\\$6");
      h.execute("SET LOCAL plan_cache_mode = force_generic_plan");
      h.execute("PREPARE claim_plan(timestamptz, timestamptz, text, text[], int, boolean) AS " + positional);
      String generic = h.createQuery("EXPLAIN EXECUTE claim_plan(now(), now(), 'w1', '{type_1,type_2}', 10, false)")
          .mapTo(String.class).list().stream().collect(Collectors.joining("\n"));
      h.execute("DEALLOCATE claim_plan");
      LOG.info("claim plan (custom):\n{}\nclaim plan (generic):\n{}", custom, generic);
      for (String plan : List.of(custom, generic)) {
        assertThat(plan).contains("Function Scan on jobs_claim").doesNotContainPattern("Scan on jobs\\b")
            .doesNotContain("Hash Join");
      }
    });
  }

  /**
   * Every statement that jobs_claim runs (auto_explain of nested statements), as it runs them,
   * planned generically from the first call (what a long-lived session ends up with), with no limit
   * and with limits that apply: the jobs are found through the pending index in claim order and
   * updated through the primary key, running jobs are counted through the lease index, and the
   * table is never scanned.
   */
  @Test
  void insideJobsClaimNoStatementScansTheTableWithLimitsOrWithout() throws SQLException {
    try (Connection c = schema.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        try {
          st.execute("LOAD 'auto_explain'");
        } catch (SQLException e) {
          org.junit.jupiter.api.Assumptions.abort("auto_explain cannot be loaded here: " + e.getMessage());
        }
        st.execute("SET LOCAL auto_explain.log_min_duration = 0");
        st.execute("SET LOCAL auto_explain.log_nested_statements = on");
        st.execute("SET LOCAL auto_explain.log_level = notice");
        st.execute("SET LOCAL client_min_messages = notice");
        st.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        String s = schema.name();
        String call = "SELECT count(*) FROM " + s + ".jobs_claim(timestamptz '" + CLOCK.instant() + "', ARRAY['type_1', 'type_2'],"
            + " 10, 'w1', timestamptz '" + CLOCK.instant().plusSeconds(300) + "', false, true)";
        List<String> unlimited = nestedPlans(st, call, 3);
        st.execute("INSERT INTO " + s + ".jobs_limits (name, max_running, max_units, units_interval, updated_at)"
            + " VALUES ('type_1', 1000, NULL, NULL, now()), ('owner-1', NULL, 1000000, interval '1 hour', now())");
        st.execute("UPDATE " + s + ".jobs SET resources = ARRAY['owner-1'] WHERE owner_id = 'owner-1' AND status = 'PENDING'");
        List<String> limited = nestedPlans(st, call, 3);
        LOG.info("inside jobs_claim without limits:\n{}\nwith limits:\n{}", String.join("\n\n", unlimited.subList(0, 6)),
            String.join("\n\n", limited.subList(0, Math.min(limited.size(), 20))));
        for (String plan : unlimited) {
          assertThat(plan).doesNotContainPattern("Seq Scan on jobs\\b").doesNotContain("Hash Join");
        }
        assertThat(String.join("\n", unlimited)).contains("Index Scan using jobs_pending_idx").contains("jobs_pkey")
            .doesNotContain("jobs_limit_usage");
        for (String plan : limited) {
          assertThat(plan).doesNotContainPattern("Seq Scan on jobs\\b").doesNotContain("Seq Scan on jobs_limit_ledger");
        }
        assertThat(String.join("\n", limited)).contains("Index Scan using jobs_pending_idx").contains("jobs_lease_idx")
            .contains("jobs_limit_ledger_pkey");
      } finally {
        c.rollback();
      }
    }
  }

  /** Runs {@code sql} {@code times} times and returns the plans auto_explain reported for it and what it ran. */
  private static List<String> nestedPlans(Statement st, String sql, int times) throws SQLException {
    List<String> plans = new java.util.ArrayList<>();
    for (int i = 0; i < times; i++) {
      st.clearWarnings();
      try (java.sql.ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        assertThat(rs.getInt(1)).as("claimed").isEqualTo(10);
      }
      for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
        plans.add(w.getMessage());
      }
    }
    assertThat(plans).as("auto_explain reports").isNotEmpty();
    return plans;
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
