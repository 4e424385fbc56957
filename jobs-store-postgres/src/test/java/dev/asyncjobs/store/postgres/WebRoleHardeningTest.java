package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.RestrictedRole.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a web tier's role, granted exactly as docs/postgresql.md says, can and cannot do to its owner's rows
 * (security review, finding 2): it may create, cancel and report progress; it may not write what a
 * worker owns, skip or delete its quota records, suppress the event log, or use the worker's SQL
 * functions. Every refusal is checked with raw SQL on a real unprivileged role.
 */
class WebRoleHardeningTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();
  private static String webRole;
  private static Job pending;
  private static Job running;

  @BeforeAll
  static void setUp() {
    webRole = schema.name() + "_web";
    try (PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
      pending = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").build())).get(0);
      Job toRun = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").type("slow").build())).get(0);
      running = worker.claim(new ClaimRequest("w1", Set.of("slow"), 1, Duration.ofHours(1))).get(0);
      assertThat(running.id()).isEqualTo(toRun.id());
    }
    schema.execute("CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'", PostgresJobStore.webRoleGrants(schema.name(), "", webRole));
  }

  @AfterAll
  static void tearDown() {
    schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
  }

  private static Connection asAlice() throws SQLException {
    Connection c = DriverManager.getConnection(TestPostgres.server().url(), webRole, "web");
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('asyncjobs.owner_id', 'alice', false)");
    }
    return c;
  }

  private static String jobs() {
    return schema.name() + ".jobs";
  }

  @Test
  void theWebRoleCannotForgeWhatAWorkerWritesOnItsOwnersJobs() throws SQLException {
    try (Connection c = asAlice()) {
      refused(c, "UPDATE " + jobs() + " SET result = '{\"url\":\"forged\"}' WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs() + " SET attempts = 0 WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs() + " SET lease_until = now() WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs() + " SET payload = '{}' WHERE id = '" + pending.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs() + " SET status = 'COMPLETED' WHERE id = '" + running.id() + "'",
          "may cancel a job, not move it from PROCESSING to COMPLETED");
      refused(c, "UPDATE " + jobs() + " SET status = 'PROCESSING' WHERE id = '" + pending.id() + "'",
          "not move it from PENDING to PROCESSING");
      refused(c, "UPDATE " + jobs() + " SET progress = 50 WHERE id = '" + pending.id() + "'",
          "progress only of a PROCESSING job");
      refused(c, "UPDATE " + jobs() + " SET finished_at = now() WHERE id = '" + running.id() + "'",
          "finished_at only when it cancels");
      refused(c, "INSERT INTO " + jobs() + " (id, owner_id, type, payload, status, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 't', '{}', 'COMPLETED', now(), now(), now())", "permission denied");
      refused(c, "DELETE FROM " + jobs() + " WHERE id = '" + pending.id() + "'", "permission denied");
    }
    assertThat(schema.value("SELECT status || '/' || attempts FROM " + jobs() + " WHERE id = '" + running.id() + "'"))
        .isEqualTo("PROCESSING/1");
  }

  @Test
  void theWebRoleCanNeitherSkipNorDeleteItsQuotaRecords() throws SQLException {
    String ledger = schema.name() + ".jobs_quota_ledger";
    String before = schema.value("SELECT count(*) FROM " + ledger + " WHERE owner_id = 'alice'");
    try (Connection c = asAlice()) {
      refused(c, "DELETE FROM " + ledger, "permission denied");
      refused(c, "INSERT INTO " + ledger + " (owner_id, created_at, job_count) VALUES ('alice', now(), 1)", "permission denied");
      try (Statement st = c.createStatement()) {
        // an insert of raw SQL, outside the store: the database counts it all the same
        st.executeUpdate("INSERT INTO " + jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
            + " VALUES (gen_random_uuid(), 'alice', 'raw', '{}', now(), now(), now())");
      }
    }
    assertThat(Long.parseLong(schema.value("SELECT count(*) FROM " + ledger + " WHERE owner_id = 'alice'")))
        .isEqualTo(Long.parseLong(before) + 1);
  }

  @Test
  void theWebRoleCannotBackdateAJobToEscapeItsQuotaWindows() throws SQLException {
    try (Connection c = asAlice()) {
      refused(c, "INSERT INTO " + jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 'old', '{}', '1970-01-01', now(), now())", "may not backdate a job");
    }
  }

  /**
   * An installation that granted whole rows before V5 (the earlier README): the triggers hold that
   * role to a web tier's changes all the same.
   */
  @Test
  void withWholeRowGrantsTheTriggersStillRefuseWhatAWorkerWrites() throws SQLException {
    String broad = schema.name() + "_broad";
    schema.execute("CREATE ROLE " + broad + " LOGIN PASSWORD 'broad'",
        "GRANT USAGE ON SCHEMA " + schema.name() + " TO " + broad,
        "GRANT SELECT, INSERT, UPDATE ON " + jobs() + " TO " + broad);
    Job mine;
    try (PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
      worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").type("broad").build()));
      mine = worker.claim(new ClaimRequest("w2", Set.of("broad"), 1, Duration.ofHours(1))).get(0);
    }
    try (Connection c = DriverManager.getConnection(TestPostgres.server().url(), broad, "broad")) {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT set_config('asyncjobs.owner_id', 'alice', false)");
        assertThat(st.executeUpdate("UPDATE " + jobs() + " SET progress = 60 WHERE id = '" + mine.id() + "'"))
            .as("progress forwards is a web tier's change").isEqualTo(1);
      }
      refused(c, "UPDATE " + jobs() + " SET result = '{\"url\":\"forged\"}' WHERE id = '" + running.id() + "'",
          "may change only the status (to cancel), the cancel request and the progress");
      refused(c, "UPDATE " + jobs() + " SET attempts = 0, lease_until = now() WHERE id = '" + running.id() + "'",
          "may change only");
      refused(c, "UPDATE " + jobs() + " SET progress = 10 WHERE id = '" + mine.id() + "'", "only forwards");
      refused(c, "INSERT INTO " + jobs() + " (id, owner_id, type, payload, status, result, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 't', '{}', 'COMPLETED', '{}', now(), now(), now())",
          "may insert new PENDING jobs only");
    } finally {
      schema.execute("DROP OWNED BY " + broad, "DROP ROLE " + broad);
    }
  }

  @Test
  void theWebRoleCannotSuppressTheEventLogBySettingTheStatementSwitch() throws SQLException {
    String events = schema.name() + ".jobs_events";
    try (Connection c = asAlice(); Statement st = c.createStatement()) {
      st.execute("SELECT set_config('asyncjobs.log', 'statement', false)");
      st.executeUpdate("INSERT INTO " + jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES ('00000000-0000-7000-8000-00000000a11c', 'alice', 'quiet', '{}', now(), now(), now())");
      st.executeUpdate("UPDATE " + jobs() + " SET cancel_requested = true WHERE id = '" + running.id() + "'");
    }
    assertThat(schema.value("SELECT string_agg(kind, ',' ORDER BY seq) FROM " + events
        + " WHERE job_id = '00000000-0000-7000-8000-00000000a11c'")).isEqualTo("CREATED");
    assertThat(schema.value("SELECT string_agg(kind, ',' ORDER BY seq) FROM " + events
        + " WHERE job_id = '" + running.id() + "' AND kind = 'CANCEL_REQUESTED'")).isEqualTo("CANCEL_REQUESTED");
    try (Connection c = asAlice()) {
      refused(c, "UPDATE " + jobs() + " SET cancel_requested = false WHERE id = '" + running.id() + "'",
          "may not withdraw a cancel request");
    }
  }

  @Test
  void theWebRoleCannotUseTheWorkersFunctions() throws SQLException {
    String s = schema.name();
    try (Connection c = asAlice()) {
      for (String call : List.of(
          "SELECT * FROM " + s + ".get_next_job('forger')",
          "SELECT * FROM " + s + ".complete_job('" + running.id() + "', '{}')",
          "SELECT * FROM " + s + ".fail_job('" + running.id() + "', 'x')",
          "SELECT " + s + ".cleanup_old_jobs()",
          "SELECT " + s + ".reset_user_quotas('alice')",
          "SELECT " + s + ".prune_job_events()")) {
        refused(c, call, "permission denied for function");
      }
    }
  }

  @Test
  void aStoreOnTheWebRoleStillCreatesCountsCancelsAndReportsProgress() {
    try (HikariDataSource web = new HikariDataSource()) {
      web.setJdbcUrl(TestPostgres.server().url());
      web.setUsername(webRole);
      web.setPassword("web");
      web.setMaximumPoolSize(2);
      try (PostgresJobStore store = PostgresJobStore.builder().dataSource(web).schema(schema.name())
          .autoMigrate(false).clock(CLOCK).build()) {
        QuotaPolicy limited = owner -> new QuotaLimits(1000, 1000, Duration.ZERO);
        int before = store.quotaWindow("carol").lastHour();
        List<Job> made = store.insert(new InsertRequest(List.of(NewJobBuilder.newJob(CLOCK).owner("carol").build(),
            NewJobBuilder.newJob(CLOCK).owner("carol").build()), limited));
        assertThat(store.quotaWindow("carol").lastHour()).as("counted by the database").isEqualTo(before + 2);
        assertThat(store.cancel("carol", made.get(0).id()).status()).isEqualTo(JobStatus.CANCELLED);
        Job keyed = store.insert(new InsertRequest(List.of(NewJobBuilder.newJob(CLOCK).owner("carol").idempotencyKey("web-key").build()), limited)).get(0);
        assertThat(store.findByIdempotencyKey("carol", "web-key")).map(Job::id).contains(keyed.id());
        assertThat(store.insert(new InsertRequest(List.of(NewJobBuilder.newJob(CLOCK).owner("carol").idempotencyKey("web-key").build()), limited))
            .get(0).id()).as("a replay").isEqualTo(keyed.id());
        assertThat(store.updateProgress(new OwnerProgress("alice", running.id(), 40, "halfway")).progress()).isEqualTo(40);
        assertThat(store.cancel("alice", running.id()).cancelRequested()).isTrue();
      }
    }
  }

  /** The recipe of docs/postgresql.md is the shipped text, so what users copy is what these tests apply. */
  @Test
  void theDocsShowExactlyTheShippedGrants() throws IOException {
    String readme = Files.readString(Path.of("../docs/postgresql.md"));
    Matcher m = Pattern.compile("```sql\nCREATE ROLE web LOGIN PASSWORD '…';\n(.*?)\n-- in each transaction", Pattern.DOTALL)
        .matcher(readme);
    assertThat(m.find()).as("the role recipe in docs/postgresql.md").isTrue();
    assertThat(m.group(1).strip()).isEqualTo(PostgresJobStore.webRoleGrants("asyncjobs", "", "web").strip());
  }

  @Test
  void roleNamesThatAreNotPlainIdentifiersAreRefused() {
    assertThatThrownBy(() -> PostgresJobStore.webRoleGrants("asyncjobs", "", "web; DROP TABLE x"))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class).hasMessageContaining("role must be a lowercase SQL identifier");
    assertThatThrownBy(() -> PostgresJobStore.webRoleGrants("asyncjobs", "", "public"))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class).hasMessageContaining("not 'public'");
    assertThatThrownBy(() -> PostgresJobStore.webRoleGrants("Bad-Schema", "", "web"))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class).hasMessageContaining("schema must be");
  }

  @Test
  void everyFunctionOfTheSchemaFixesItsSearchPath() {
    assertThat(schema.value("SELECT coalesce(string_agg(p.proname, ',' ORDER BY p.proname), '') FROM pg_proc p"
        + " WHERE p.pronamespace = '" + schema.name() + "'::regnamespace"
        + " AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)"))
        .as("functions that resolve names through their caller's search_path").isEmpty();
  }

  /**
   * Finding 1: a role that may create objects in {@code public} (every role up to PostgreSQL 14)
   * plants an operator that the SQL functions use; a session whose search_path lists public before
   * pg_catalog then calls them. The planted code must never run: it would run with the caller's
   * rights (here the tables' owner).
   */
  @Test
  void objectsPlantedInPublicNeverRunInsideTheFunctions() throws SQLException {
    String attacker = schema.name() + "_plant";
    String loot = "public." + schema.name() + "_loot";
    schema.execute(
        "CREATE ROLE " + attacker + " LOGIN PASSWORD 'plant'",
        "GRANT CREATE, USAGE ON SCHEMA public TO " + attacker);
    try {
      try (Connection c = DriverManager.getConnection(TestPostgres.server().url(), attacker, "plant");
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE " + loot + " (who text)");
        st.execute("GRANT INSERT ON " + loot + " TO PUBLIC");
        for (String op : List.of("+", "-")) {
          String fn = "public." + schema.name() + (op.equals("+") ? "_add" : "_sub");
          st.execute("CREATE FUNCTION " + fn + "(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS $$"
              + " BEGIN INSERT INTO " + loot + " VALUES (current_user); RETURN $1 OPERATOR(pg_catalog." + op + ") $2; END $$");
          st.execute("CREATE OPERATOR public." + op + " (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = " + fn + ")");
        }
      }
      try (PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
        worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("zed").type("planted").build()));
      }
      try (Connection victim = schema.dataSource().getConnection(); Statement st = victim.createStatement()) {
        st.execute("SET search_path = public, pg_catalog");
        // the plant works on an expression outside our functions: this test can see a hijack
        try (ResultSet rs = st.executeQuery("SELECT now() + interval '1 minute'")) {
          rs.next();
        }
        assertThat(count(victim, loot)).as("the planted operator ran for a plain expression").isEqualTo(1);
        String s = schema.name();
        String claimed;
        try (ResultSet rs = st.executeQuery("SELECT id FROM " + s + ".get_next_job('w', ARRAY['planted'], interval '5 minutes', 1, '"
            + CLOCK.instant().plusSeconds(1) + "')")) {
          assertThat(rs.next()).as("claimed the planted-type job").isTrue();
          claimed = rs.getString(1);
        }
        st.execute("SELECT * FROM " + s + ".fail_job('" + claimed + "', 'again', interval '1 minute', 'w', 1, '"
            + CLOCK.instant().plusSeconds(2) + "')");
        st.execute("SELECT " + s + ".cleanup_old_jobs()");
        st.execute("SELECT " + s + ".prune_job_events(interval '1 day', 1)");
        assertThat(count(victim, loot)).as("planted code run inside our functions").isEqualTo(1);
      }
    } finally {
      schema.execute("DROP OWNED BY " + attacker, "REVOKE ALL ON SCHEMA public FROM " + attacker, "DROP ROLE " + attacker);
    }
  }

  private static long count(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
