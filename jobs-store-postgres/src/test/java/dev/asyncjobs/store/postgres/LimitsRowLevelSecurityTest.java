package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.RestrictedRole.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Limits are the operator's and the workers' (the tables' owner): a web tier's role, granted
 * exactly as docs/postgresql.md says, and under row-level security, can neither define, pause, back
 * off nor read limits, nor read the limit ledger (which names every owner's jobs), nor claim
 * through {@code jobs_claim}, nor forge what a create or a worker decided of its own jobs
 * (resources, units, deferrals); it still creates jobs with resources and units. Every refusal is
 * checked on a real unprivileged role, with raw SQL and through a store built on that role, and
 * leaves the limits as the owner set them.
 */
class LimitsRowLevelSecurityTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();
  private static String webRole;
  private static Job running;

  @BeforeAll
  static void setUp() {
    webRole = schema.name() + "_web";
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
      owner.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").type("img").resources("gpu").units(5).build()));
      running = owner.claim(new ClaimRequest("w1", Set.of("img"), 1, Duration.ofHours(1))).get(0);
      owner.defineLimit(JobLimit.builder("gpu").maxRunning(2).maxUnits(100, Duration.ofMinutes(1)).build());
      owner.setPaused("img", true);
    }
    schema.execute("CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'", PostgresJobStore.webRoleGrants(schema.name(), "", webRole));
  }

  @AfterAll
  static void tearDown() {
    schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
  }

  private static String limitsNow() {
    return schema.value("SELECT string_agg(name || ':' || coalesce(max_running::text, '-') || ':' || paused || ':'"
        + " || coalesce(backoff_until::text, '-'), ',' ORDER BY name) FROM " + schema.name() + ".jobs_limits");
  }

  private static Connection asAlice() throws SQLException {
    Connection c = DriverManager.getConnection(TestPostgres.server().url(), webRole, "web");
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('asyncjobs.owner_id', 'alice', false)");
    }
    return c;
  }

  @Test
  void rawSqlOfTheWebRoleCanNeitherReadNorWriteTheLimitsOrTheLedgerNorClaimThroughJobsClaim() throws SQLException {
    String s = schema.name();
    String before = limitsNow();
    try (Connection c = asAlice()) {
      refused(c, "SELECT * FROM " + s + ".jobs_limits", "permission denied for table jobs_limits");
      refused(c, "UPDATE " + s + ".jobs_limits SET paused = false", "permission denied for table jobs_limits");
      refused(c, "INSERT INTO " + s + ".jobs_limits (name, backoff_until, updated_at) VALUES ('gpu', now() + interval '1 day', now())",
          "permission denied for table jobs_limits");
      refused(c, "DELETE FROM " + s + ".jobs_limits", "permission denied for table jobs_limits");
      refused(c, "SELECT job_ids FROM " + s + ".jobs_limit_ledger", "permission denied for table jobs_limit_ledger");
      refused(c, "UPDATE " + s + ".jobs_limit_ledger SET units = 0", "permission denied for table jobs_limit_ledger");
      refused(c, "DELETE FROM " + s + ".jobs_limit_ledger", "permission denied for table jobs_limit_ledger");
      for (String call : List.of(
          "SELECT * FROM " + s + ".jobs_claim(now(), ARRAY['img'], 1, 'forger', now() + interval '1 hour', false, false)",
          "SELECT * FROM " + s + ".jobs_limit_running(ARRAY['gpu'])",
          "SELECT " + s + ".jobs_limit_sum('gpu', 'units', now(), NULL, NULL)",
          "SELECT " + s + ".jobs_limit_settle('" + running.id() + "', 1, 'w1', 0)",
          "SELECT " + s + ".jobs_limit_retention(now(), 10)",
          "SELECT " + s + ".jobs_claim_candidates(now(), ARRAY['img'], 1, '{}', '{}', '{}', false)")) {
        refused(c, call, "permission denied for function");
      }
    }
    assertThat(limitsNow()).isEqualTo(before);
  }

  @Test
  void aStoreOnTheWebRoleIsRefusedEveryLimitCallAndChangesNothing() {
    String before = limitsNow();
    String ledger = schema.value("SELECT string_agg(units::text, ',') FROM " + schema.name() + ".jobs_limit_ledger");
    try (HikariDataSource web = new HikariDataSource()) {
      web.setJdbcUrl(TestPostgres.server().url());
      web.setUsername(webRole);
      web.setPassword("web");
      web.setMaximumPoolSize(2);
      try (PostgresJobStore store = PostgresJobStore.builder().dataSource(web).schema(schema.name())
          .autoMigrate(false).clock(CLOCK).build()) {
        assertThat(store.rowLevelSecurityActive()).isTrue();
        List<ThrowingCallable> calls = List.of(
            () -> store.defineLimit(JobLimit.builder("gpu").maxRunning(1000).build()),
            () -> store.removeLimit("gpu"),
            () -> store.setPaused("img", false),
            () -> store.setPaused("gpu", true),
            () -> store.backOff("gpu", CLOCK.instant().plusSeconds(3600)),
            () -> store.settleUnits(Lease.of(running), 0),
            store::limits,
            () -> store.claim(new ClaimRequest("forger", Set.of("img"), 1, Duration.ofHours(1))));
        for (ThrowingCallable call : calls) {
          assertThatThrownBy(call).isInstanceOf(JobStoreException.class).hasMessageContaining("permission denied")
              .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("42501"));
        }
        // what a web tier does with limits: it creates jobs that fall under them
        Job made = store.insert(InsertRequest.of(
            NewJobBuilder.newJob(CLOCK).owner("alice").type("img").resources("gpu", "openai").units(9).build())).get(0);
        assertThat(schema.value("SELECT resources::text || ' ' || estimated_units || ' ' || deferrals FROM " + schema.name()
            + ".jobs WHERE id = '" + made.id() + "'")).isEqualTo("{gpu,openai} 9 0");
      }
    }
    assertThat(limitsNow()).isEqualTo(before);
    assertThat(schema.value("SELECT string_agg(units::text, ',') FROM " + schema.name() + ".jobs_limit_ledger")).isEqualTo(ledger);
  }

  /** Schedules create jobs of any owner: the web role can neither read nor write them, raw or through a store. */
  @Test
  void theWebRoleCanNeitherReadNorWriteSchedules() throws SQLException {
    String s = schema.name();
    String rows = "SELECT count(*) FROM " + s + ".jobs_schedules";
    long before = schema.number(rows);
    try (Connection c = asAlice()) {
      refused(c, "SELECT * FROM " + s + ".jobs_schedules", "permission denied for table jobs_schedules");
      refused(c, "INSERT INTO " + s + ".jobs_schedules (name, definition, next_run_at, updated_at) VALUES ('x', '{}', now(), now())",
          "permission denied for table jobs_schedules");
      refused(c, "UPDATE " + s + ".jobs_schedules SET next_run_at = now()", "permission denied for table jobs_schedules");
      refused(c, "DELETE FROM " + s + ".jobs_schedules", "permission denied for table jobs_schedules");
    }
    try (HikariDataSource web = new HikariDataSource()) {
      web.setJdbcUrl(TestPostgres.server().url());
      web.setUsername(webRole);
      web.setPassword("web");
      web.setMaximumPoolSize(2);
      try (PostgresJobStore store = PostgresJobStore.builder().dataSource(web).schema(s).autoMigrate(false).clock(CLOCK).build()) {
        List<ThrowingCallable> calls = List.of(
            store::schedules,
            () -> store.saveSchedule("forged", "{}", CLOCK.instant()),
            () -> store.advanceSchedule("forged", CLOCK.instant(), CLOCK.instant(), null),
            () -> store.removeSchedule("forged"));
        for (ThrowingCallable call : calls) {
          assertThatThrownBy(call).isInstanceOf(JobStoreException.class).hasMessageContaining("permission denied")
              .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("42501"));
        }
      }
    }
    assertThat(schema.number(rows)).isEqualTo(before);
  }

  @Test
  void theWebRoleCannotForgeTheResourcesUnitsOrDeferralsOfItsOwnersJobs() throws SQLException {
    String jobs = schema.name() + ".jobs";
    try (Connection c = asAlice()) {
      refused(c, "UPDATE " + jobs + " SET resources = NULL WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs + " SET estimated_units = 0 WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "UPDATE " + jobs + " SET deferrals = 7 WHERE id = '" + running.id() + "'", "permission denied");
      refused(c, "INSERT INTO " + jobs + " (id, owner_id, type, payload, deferrals, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 'img', '{}', 3, now(), now(), now())", "permission denied");
    }
    // a role granted whole rows (an installation older than V5's recipe): the triggers refuse the same
    String broad = schema.name() + "_broad";
    schema.execute("CREATE ROLE " + broad + " LOGIN PASSWORD 'broad'",
        "GRANT USAGE ON SCHEMA " + schema.name() + " TO " + broad,
        "GRANT SELECT, INSERT, UPDATE ON " + jobs + " TO " + broad);
    try (Connection c = DriverManager.getConnection(TestPostgres.server().url(), broad, "broad")) {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT set_config('asyncjobs.owner_id', 'alice', false)");
      }
      for (String change : List.of("resources = NULL", "estimated_units = 0", "deferrals = 7", "metadata = '{\"x\":\"y\"}'")) {
        refused(c, "UPDATE " + jobs + " SET " + change + " WHERE id = '" + running.id() + "'", "may change only");
      }
      refused(c, "INSERT INTO " + jobs + " (id, owner_id, type, payload, deferrals, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 'img', '{}', 3, now(), now(), now())", "may insert new PENDING jobs only");
    } finally {
      schema.execute("DROP OWNED BY " + broad, "DROP ROLE " + broad);
    }
    assertThat(schema.value("SELECT resources::text || ' ' || estimated_units || ' ' || deferrals FROM " + jobs
        + " WHERE id = '" + running.id() + "'")).isEqualTo("{gpu} 5 0");
  }
}
