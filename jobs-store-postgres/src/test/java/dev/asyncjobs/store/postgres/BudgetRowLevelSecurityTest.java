package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.RestrictedRole.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.BudgetContract;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Budgets on a web tier's role (granted as docs/postgresql.md says, under row-level security): it
 * creates budgeted jobs (the database writes their ledger rows), is refused over its owner's
 * budget, and reads only the ledger rows of the owner its transaction names; it can never lower what its owner's jobs count:
 * no insert, update or delete of ledger rows, no change of a job's reservation (refused by V12's
 * trigger whatever the grants), no settling. Cancelling a PENDING job that consumed nothing is
 * the one change that gives budget back, and the database makes it. Every refusal is checked on a
 * real unprivileged role.
 */
class BudgetRowLevelSecurityTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();
  private static final BudgetAmount FORTY_CENTS = new BudgetAmount(new BigDecimal("0.4"), 100);
  private static RestrictedRole web;

  @BeforeAll
  static void setUp() {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
      assertThat(owner.rowLevelSecurityActive()).isFalse();
    }
    web = RestrictedRole.web(schema, "web");
  }

  @AfterAll
  static void tearDown() {
    web.close();
  }

  @BeforeEach
  void emptyTables() {
    schema.execute("TRUNCATE " + schema.table("jobs") + ", " + schema.table("jobs_quota_ledger") + ", "
        + schema.table("jobs_events") + ", " + ledger());
  }

  private static String ledger() {
    return schema.table("jobs_budget_ledger");
  }

  private static Instant windowStart() {
    return CLOCK.instant().minusSeconds(60);
  }

  /** {@code n} jobs of {@code owner}, each reserving {@code each}, under a cost bound of 1 a day. */
  private static InsertRequest budgeted(String owner, BudgetAmount each, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(NewJobBuilder.newJob(CLOCK).owner(owner).build());
    }
    BudgetBound bound = new BudgetBound(BudgetExceededException.Limit.COST_PER_DAY, BigDecimal.ONE, windowStart(),
        windowStart().plus(Duration.ofDays(1)));
    return BudgetContract.budgetedInsert(jobs, owner, List.of(bound), each);
  }

  private static String counted(String owner) {
    return schema.value("SELECT coalesce(sum(cost), 0) || ' ' || coalesce(sum(tokens), 0) FROM " + ledger()
        + " WHERE owner_id = '" + owner + "'");
  }

  @Test
  void aStoreOnTheWebRoleReservesWithinItsOwnersBudgetAndSeesOnlyItsOwnersLedger() {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build();
        HikariDataSource pool = new HikariDataSource();
        PostgresJobStore store = web.store(CLOCK, pool)) {
      assertThat(store.rowLevelSecurityActive()).isTrue();
      owner.insert(budgeted("bob", FORTY_CENTS, 1));

      List<Job> made = store.insert(budgeted("alice", FORTY_CENTS, 2));
      assertThat(made).allSatisfy(j -> assertThat(j.budgetReserved()).isEqualTo(FORTY_CENTS));
      assertThat(store.find("alice", made.get(0).id()).orElseThrow().budgetReserved()).isEqualTo(FORTY_CENTS);
      assertThat(counted("alice")).as("the database wrote the ledger rows of the role's creates").isEqualTo("0.8 200");

      assertThatThrownBy(() -> store.insert(budgeted("alice", FORTY_CENTS, 1)))
          .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
            assertThat(e.counted()).isEqualByComparingTo("0.8");
            assertThat(e.requested()).isEqualByComparingTo("0.4");
          });
      assertThat(schema.value("SELECT count(*) FROM " + schema.table("jobs") + " WHERE owner_id = 'alice'")).isEqualTo("2");

      Instant from = windowStart();
      assertThat(store.budgetCounted("alice", from)).isEqualTo(new BudgetAmount(new BigDecimal("0.8"), 200));
      assertThat(owner.budgetCounted("alice", from)).isEqualTo(new BudgetAmount(new BigDecimal("0.8"), 200));

      store.settleBudget(made.get(0).id(), BudgetAmount.ZERO);
      assertThat(counted("alice")).as("the web role settles nothing").isEqualTo("0.8 200");

      // A PENDING job cancelled before it consumed anything counts nothing: the database settles it.
      assertThat(store.cancel("alice", made.get(0).id()).status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(counted("alice")).isEqualTo("0.4 100");
      assertThat(store.insert(budgeted("alice", FORTY_CENTS, 1))).hasSize(1);
    }
  }

  @Test
  void theWebRoleCanNeitherWriteNorDeleteLedgerRowsNorChangeAReservation() throws SQLException {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
      owner.insert(budgeted("bob", FORTY_CENTS, 1));
      Job job = owner.insert(budgeted("alice", FORTY_CENTS, 1)).get(0);
      String id = job.id().toString();
      try (Connection c = web.as("alice")) {
        String denied = "permission denied for table jobs_budget_ledger";
        refused(c, "UPDATE " + ledger() + " SET cost = 0, tokens = 0", denied);
        refused(c, "DELETE FROM " + ledger(), denied);
        refused(c, "INSERT INTO " + ledger() + " (job_id, owner_id, created_at, cost, tokens)"
            + " VALUES (gen_random_uuid(), 'alice', now() - interval '40 days', 0, 0)", denied);
        refused(c, "UPDATE " + schema.table("jobs") + " SET budget_cost = 0, budget_tokens = 0 WHERE id = '" + id + "'",
            "permission denied for table jobs");

        try (Statement st = c.createStatement()) {
          assertThat(count(st, "SELECT count(*) FROM " + ledger())).as("only alice's row, not bob's").isEqualTo(1);
          // The insert path: a reservation inserted with the job counts, written by the database.
          assertThat(st.executeUpdate("INSERT INTO " + schema.table("jobs") + " (id, owner_id, type, payload, budget_cost,"
              + " budget_tokens, created_at, updated_at, run_at) VALUES (gen_random_uuid(), 'alice', 'text', '{}', 0.25, 7,"
              + " now(), now(), now())")).isEqualTo(1);
        }
        assertThatThrownBy(() -> {
          try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + schema.table("jobs") + " (id, owner_id, type, payload, budget_cost, budget_tokens,"
                + " created_at, updated_at, run_at) VALUES (gen_random_uuid(), 'alice', 'text', '{}', -1, 0, now(), now(), now())");
          }
        }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).as("check_violation").isEqualTo("23514"));
      }
      assertThat(counted("alice")).isEqualTo("0.65 107");
      assertThat(counted("bob")).isEqualTo("0.4 100");
    }
  }

  /** An installation that granted whole rows before V5: V12's trigger refuses it a change of reservation all the same. */
  @Test
  void withWholeRowGrantsTheTriggerStillRefusesAChangeOfReservation() throws SQLException {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
      Job job = owner.insert(budgeted("alice", FORTY_CENTS, 1)).get(0);
      try (RestrictedRole broad = RestrictedRole.wholeRows(schema, "broad"); Connection c = broad.as("alice")) {
        refused(c, "UPDATE " + schema.table("jobs") + " SET budget_cost = 0 WHERE id = '" + job.id() + "'",
            "may not change the budget reservation of a job");
        refused(c, "UPDATE " + schema.table("jobs") + " SET budget_cost = NULL, budget_tokens = NULL WHERE id = '" + job.id() + "'",
            "may not change the budget reservation of a job");
        refused(c, "DELETE FROM " + ledger(), "permission denied for table jobs_budget_ledger");
      }
      assertThat(counted("alice")).isEqualTo("0.4 100");
      assertThat(owner.find(job.id()).orElseThrow().budgetReserved()).isEqualTo(FORTY_CENTS);
    }
  }

  /** A refusal in a transaction of the web role is undone alone: the transaction goes on and commits. */
  @Test
  void aBudgetRefusalInTheWebRolesTransactionLeavesItUsable() throws SQLException {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build();
        Connection c = DriverManager.getConnection(TestPostgres.server().url(), web.name(), web.name())) {
      c.setAutoCommit(false);
      Job kept = owner.insert(budgeted("alice", FORTY_CENTS, 2).inTransaction(c)).get(0);
      assertThatThrownBy(() -> owner.insert(budgeted("alice", FORTY_CENTS, 1).inTransaction(c)))
          .isInstanceOf(BudgetExceededException.class);
      try (Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("CREATE TEMP TABLE after_refusal (x int)")).as("the transaction goes on").isZero();
      }
      c.commit();
      assertThat(schema.value("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo("2");
      assertThat(owner.find(kept.id()).orElseThrow().budgetReserved()).isEqualTo(FORTY_CENTS);
      assertThat(counted("alice")).isEqualTo("0.8 200");
    }
  }

  private static int count(Statement st, String sql) throws SQLException {
    try (var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
