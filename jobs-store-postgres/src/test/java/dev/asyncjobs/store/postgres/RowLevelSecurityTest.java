package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.Deadline;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A web tier's database role, granted the tables but not owning them, sees and changes only the
 * rows of the owner its transaction names; the store's own role (the tables' owner) sees all.
 */
class RowLevelSecurityTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static String webRole;
  private static final MutableClock CLOCK = new MutableClock();
  private static Job aliceJob;
  private static Job bobJob;

  @BeforeAll
  static void setUp() {
    webRole = schema.name() + "_web";
    try (PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
      assertThat(worker.rowLevelSecurityActive()).as("the table owner is not subject to RLS").isFalse();
      aliceJob = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").build())).get(0);
      bobJob = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("bob").build())).get(0);
    }
    String s = schema.name();
    schema.execute(
        "CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'",
        PostgresJobStore.webRoleGrants(s, "", webRole));
  }

  @AfterAll
  static void tearDown() {
    schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
  }

  private static Connection connectAsWeb() throws SQLException {
    return DriverManager.getConnection(TestPostgres.server().url(), webRole, "web");
  }

  private static List<String> owners(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString("owner_id"));
      }
    }
    return out;
  }

  private static void setOwner(Connection c, String owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('asyncjobs.owner_id', ?, false)")) {
      ps.setString(1, owner);
      ps.execute();
    }
  }

  @Test
  void rawSqlOfTheWebRoleReadsNothingWithoutAnOwnerAndOnlyThatOwnersRowsWithOne() throws SQLException {
    String jobs = schema.name() + ".jobs";
    try (Connection c = connectAsWeb()) {
      assertThat(owners(c, "SELECT * FROM " + jobs)).isEmpty();

      setOwner(c, "alice");
      assertThat(owners(c, "SELECT * FROM " + jobs)).containsExactly("alice");
      assertThat(owners(c, "SELECT * FROM " + jobs + " WHERE owner_id = 'bob'")).isEmpty();
      try (Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE " + jobs + " SET cancel_requested = true WHERE id = '" + bobJob.id() + "'")).isZero();
        assertThatThrownBy(() -> st.executeUpdate("INSERT INTO " + jobs
                + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
                + " VALUES (gen_random_uuid(), 'bob', 't', '{}', now(), now(), now())"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("row-level security");
      }

      setOwner(c, "bob");
      assertThat(owners(c, "SELECT * FROM " + jobs)).containsExactly("bob");
    }
    assertThat(schema.value("SELECT status || '/' || cancel_requested FROM " + jobs + " WHERE id = '" + bobJob.id() + "'"))
        .isEqualTo("PENDING/false");
  }

  @Test
  void aStoreOnTheWebRoleWorksForEachOwnerAndCannotReachAnotherOwnersJob() {
    TestPostgres.Server server = TestPostgres.server();
    try (HikariDataSource web = new HikariDataSource()) {
      web.setJdbcUrl(server.url());
      web.setUsername(webRole);
      web.setPassword("web");
      web.setMaximumPoolSize(2);
      try (PostgresJobStore store = PostgresJobStore.builder().dataSource(web).schema(schema.name())
          .autoMigrate(false).clock(CLOCK).build()) {
        assertThat(store.rowLevelSecurityActive()).isTrue();

        QuotaPolicy limited = owner -> new QuotaLimits(10, 100, Duration.ZERO);
        Job created = store.insert(new InsertRequest(List.of(NewJobBuilder.newJob(CLOCK).owner("alice").build()), limited)).get(0);
        // alice's create in setUp and this one; the ledger is read under the same policy.
        assertThat(store.quotaWindow("alice").lastHour()).isEqualTo(2);
        assertThat(store.query(JobQuery.forOwner("alice").build()).items()).extracting(Job::id)
            .containsExactlyInAnyOrder(aliceJob.id(), created.id());
        assertThat(store.query(JobQuery.allOwners().build()).items()).as("no owner set: nothing visible").isEmpty();

        assertThatThrownBy(() -> store.cancel("alice", bobJob.id())).isInstanceOf(JobNotFoundException.class);
        assertThat(store.cancel("alice", created.id()).status()).isEqualTo(JobStatus.CANCELLED);
      }
    }
  }

  private static HikariDataSource webPool() {
    TestPostgres.Server server = TestPostgres.server();
    HikariDataSource web = new HikariDataSource();
    web.setJdbcUrl(server.url());
    web.setUsername(webRole);
    web.setPassword("web");
    web.setMaximumPoolSize(3);
    return web;
  }

  @Test
  void aSubscriberOnTheWebRoleReceivesOnlyTheOwnerItNamesLiveAndOnResume() throws Exception {
    try (HikariDataSource web = webPool();
        PostgresJobStore webStore = PostgresJobStore.builder().dataSource(web).schema(schema.name())
            .autoMigrate(false).clock(CLOCK).build();
        PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
      EventRecorder live = new EventRecorder();
      EventRecorder resumed = new EventRecorder();
      try (Subscription a = webStore.subscribe(EventSubscription.owner("dora"), live);
          Subscription b = webStore.subscribe(EventSubscription.owner("dora").after(0), resumed)) {
        Job forEve = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("eve").build())).get(0);
        Job forDora = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("dora").build())).get(0);
        worker.cancel("eve", forEve.id());
        worker.cancel("dora", forDora.id());
        live.await(forDora.id(), JobEvent.Kind.CANCELLED, Duration.ofSeconds(20));
        resumed.await(forDora.id(), JobEvent.Kind.CANCELLED, Duration.ofSeconds(20));

        assertThat(live.events()).extracting(JobEvent::jobId).containsExactly(forDora.id(), forDora.id());
        assertThat(resumed.events()).extracting(JobEvent::ownerId).containsOnly("dora");
        assertThat(resumed.events()).extracting(JobEvent::jobId).containsExactly(forDora.id(), forDora.id());
        assertThat(webStore.readEvents(EventQuery.owner("dora", 0, 100))).extracting(JobEvent::ownerId).containsOnly("dora");
        // Naming no owner on this role reads nothing at all: the database keeps owners apart.
        assertThat(webStore.readEvents(EventQuery.allOwners(0, 100))).isEmpty();
      }
    }
  }

  @Test
  void rawSqlOfTheWebRoleReadsOnlyTheNamedOwnersEventsAndCannotWriteTheLog() throws SQLException {
    String events = schema.name() + ".jobs_events";
    try (Connection c = connectAsWeb()) {
      assertThat(owners(c, "SELECT * FROM " + events)).isEmpty();
      setOwner(c, "alice");
      assertThat(owners(c, "SELECT * FROM " + events)).isNotEmpty().containsOnly("alice");
      try (Statement st = c.createStatement()) {
        assertThatThrownBy(() -> st.executeUpdate("INSERT INTO " + events
                + " (seq, job_id, owner_id, kind, type, status, progress, attempt, at)"
                + " VALUES (999999, '" + aliceJob.id() + "', 'alice', 'CANCEL_REQUESTED', 't', 'PROCESSING', 0, 1, now())"))
            .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        assertThatThrownBy(() -> st.executeUpdate("DELETE FROM " + events))
            .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
      }
    }
  }

  @Test
  void listeningOnTheWebRoleHearsOnlyEmptyHintsOfOtherOwnersWork() throws Exception {
    try (Connection c = connectAsWeb(); PostgresJobStore worker = schema.storeBuilder(CLOCK).build()) {
      try (Statement st = c.createStatement()) {
        st.execute("LISTEN \"" + schema.name() + ".jobs\"");
      }
      Job forFrank = worker.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("frank").type("secret_type").build())).get(0);
      worker.cancel("frank", forFrank.id());
      PGConnection pg = c.unwrap(PGConnection.class);
      List<String> payloads = new ArrayList<>();
      Deadline deadline = Deadline.after(Duration.ofSeconds(10));
      while (payloads.isEmpty() && !deadline.hasPassed()) {
        PGNotification[] got = pg.getNotifications(200);
        for (PGNotification n : got == null ? new PGNotification[0] : got) {
          payloads.add(n.getParameter());
        }
      }
      assertThat(payloads).as("hints of bob's work, telling alice's role nothing about it").isNotEmpty()
          .allSatisfy(p -> assertThat(p).isEmpty());
    }
  }
}
