package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.CallerTransactionInsertTest.execute;
import static dev.asyncjobs.store.postgres.CallerTransactionInsertTest.number;
import static dev.asyncjobs.store.postgres.CallerTransactionInsertTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An insert in a transaction of the web tier's role (the recipe of {@link
 * PostgresJobStore#webRoleGrants}, under row-level security): the store sets the owner inside that
 * transaction and puts the setting back, the database's triggers write the events and the quota
 * records, and commit and rollback decide as for the tables' owner, whichever role the store
 * itself runs as.
 */
class CallerTransactionRowLevelSecurityTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final QuotaPolicy TWO_AN_HOUR = QuotaPolicy.perOwner(2, 10, Duration.ZERO);
  private static final MutableClock CLOCK = new MutableClock();
  private static String webRole;

  @BeforeAll
  static void setUp() {
    webRole = schema.name() + "_web";
    try (PostgresJobStore migrate = schema.storeBuilder(CLOCK).build()) {
      assertThat(migrate.rowLevelSecurityActive()).isFalse();
    }
    schema.execute("CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'", PostgresJobStore.webRoleGrants(schema.name(), "", webRole));
  }

  @AfterAll
  static void tearDown() {
    schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
  }

  @BeforeEach
  void emptyTables() {
    schema.execute("TRUNCATE " + schema.table("jobs") + ", " + schema.table("jobs_quota_ledger") + ", " + schema.table("jobs_events"));
  }

  private static Connection beginAsWeb() throws SQLException {
    Connection c = DriverManager.getConnection(TestPostgres.server().url(), webRole, "web");
    c.setAutoCommit(false);
    return c;
  }

  private static HikariDataSource webPool() {
    HikariDataSource web = new HikariDataSource();
    web.setJdbcUrl(TestPostgres.server().url());
    web.setUsername(webRole);
    web.setPassword("web");
    web.setMaximumPoolSize(2);
    return web;
  }

  @Test
  void aStoreOfTheTablesOwnerJoinsAWebRoleTransactionAndTheTriggersLogAndCountTheCreate() throws Exception {
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build(); Connection c = beginAsWeb()) {
      List<@Nullable String> before = settings(c);
      Job job = store.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").build()).withQuotas(TWO_AN_HOUR)
          .inTransaction(c)).get(0);
      assertThat(settings(c)).as("the owner setting is gone again").isEqualTo(before.stream().map(v -> v == null ? "" : v).toList());
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs"))).as("so no owner's rows are visible here").isZero();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).as("nothing before the commit").isZero();

      c.commit();
      assertThat(store.find(job.id())).contains(job);
      assertThat(store.quotaWindow("alice").lastHour()).as("counted by the database's trigger").isEqualTo(1);
      List<JobEvent> events = Waits.untilValue("the CREATED event to settle", Duration.ofSeconds(20),
          () -> store.readEvents(EventQuery.allOwners(0, 100)), e -> !e.isEmpty());
      assertThat(events).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.CREATED);
    }
  }

  @Test
  void aStoreOnTheWebRoleJoinsItsTransactionAndARollbackLeavesNothingNotEvenTheQuotaRecord() throws Exception {
    try (HikariDataSource web = webPool();
        PostgresJobStore store = PostgresJobStore.builder().dataSource(web).schema(schema.name()).autoMigrate(false).clock(CLOCK).build();
        Connection c = beginAsWeb()) {
      assertThat(store.rowLevelSecurityActive()).isTrue();
      Job job = store.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("bob").build()).withQuotas(TWO_AN_HOUR)
          .inTransaction(c)).get(0);
      c.rollback();
      assertThat(store.find("bob", job.id())).isEmpty();
      assertThat(store.quotaWindow("bob").lastHour()).isZero();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs_events"))).isZero();
    }
  }

  @Test
  void aQuotaRefusalUnderRowLevelSecurityLeavesTheWebRolesTransactionUsable() throws Exception {
    try (PostgresJobStore store = schema.storeBuilder(CLOCK).build(); Connection c = beginAsWeb()) {
      for (int i = 0; i < 2; i++) {
        store.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("carol").build()).withQuotas(TWO_AN_HOUR).inTransaction(c));
      }
      assertThatThrownBy(() -> store.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("carol").build())
          .withQuotas(TWO_AN_HOUR).inTransaction(c))).isInstanceOf(QuotaExceededException.class);
      // The web role's own statement still runs (as far as its grants go) and the commit keeps both jobs.
      execute(c, "SELECT set_config('asyncjobs.owner_id', 'carol', true)");
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(2);
      c.commit();
      assertThat(store.quotaWindow("carol").lastHour()).isEqualTo(2);
    }
  }
}
