package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobStores;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The optional owner index of fair claims (V14, {@code fairClaimIndex}): built only when asked,
 * checked without autoMigrate, rebuilt after a failed build, and read by fair claims only when it is
 * valid.
 */
class FairClaimIndexTest {
  private static final String INDEX = "jobs_pending_owner_idx";

  private TestSchema schema;
  private final MutableClock clock = new MutableClock();

  @BeforeEach
  void createSchema() {
    schema = new TestSchema().open();
  }

  @AfterEach
  void dropSchema() {
    schema.close();
  }

  /** The index's oid and validity, or {@code null} when it is missing. */
  private String index() {
    return schema.value("SELECT (SELECT i.indexrelid::oid || ':' || i.indisvalid FROM pg_index AS i WHERE i.indexrelid = to_regclass('"
        + schema.name() + "." + INDEX + "'))");
  }

  @Test
  void aStoreBuildsItOnlyWhenAskedAndAnotherLeavesItBe() {
    schema.storeBuilder(clock).build().close();
    assertThat(index()).as("V14 drops V10's index; a plain store does not build it").isNull();

    schema.storeBuilder(clock).fairClaimIndex(true).build().close();
    String built = index();
    assertThat(built).endsWith(":true");

    schema.storeBuilder(clock).fairClaimIndex(true).build().close();
    schema.storeBuilder(clock).build().close();
    assertThat(index()).as("built once; a store without the option does not drop it").isEqualTo(built);
  }

  @Test
  void aFailedBuildsLeftoverIsDroppedAndBuiltAgain() {
    schema.storeBuilder(clock).fairClaimIndex(true).build().close();
    // What a CREATE INDEX CONCURRENTLY that failed half-way leaves: the entry, not valid.
    schema.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass('" + schema.name() + "." + INDEX + "')");
    String leftover = index();
    assertThat(leftover).endsWith(":false");

    schema.storeBuilder(clock).fairClaimIndex(true).build().close();
    assertThat(index()).endsWith(":true").isNotEqualTo(leftover.replace(":false", ":true"));
  }

  @Test
  void aBuildThatCannotMakeTheIndexLeavesTheStoreRunningOnThePlainScan() throws Exception {
    schema.storeBuilder(clock).build().close();
    // Another relation holds the name: the build cannot make the index, which is no reason not to start.
    schema.execute("CREATE TABLE " + schema.name() + "." + INDEX + " (x int)");
    try (PostgresJobStore store = schema.storeBuilder(clock).fairClaimIndex(true).build()) {
      assertThat(index()).isNull();
      store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).owner("alice").build()));
      assertThat(fairCandidates().get(0)).isEqualTo("jobs_fair_scan");
      assertThat(store.claim(new ClaimRequest("w", Set.of(NewJobBuilder.DEFAULT_TYPE), 4, Duration.ofMinutes(1), true)))
          .hasSize(1);
    }
  }

  @Test
  void withoutAutoMigrateTheIndexIsCheckedNamingTheStatementThatBuildsIt() {
    schema.storeBuilder(clock).build().close();
    assertThatThrownBy(() -> schema.storeBuilder(clock).autoMigrate(false).fairClaimIndex(true).build())
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining(PostgresJobStore.fairClaimIndexSql(schema.name(), ""));
    assertThat(index()).as("checking builds nothing").isNull();

    schema.execute(PostgresJobStore.fairClaimIndexSql(schema.name(), ""));
    schema.storeBuilder(clock).autoMigrate(false).fairClaimIndex(true).build().close();
    assertThat(index()).endsWith(":true");
  }

  @Test
  void theStatementRefusesNamesThatAreNotIdentifiers() {
    assertThat(PostgresJobStore.fairClaimIndexSql("app", "x_")).isEqualTo("CREATE INDEX CONCURRENTLY IF NOT EXISTS"
        + " x_jobs_pending_owner_idx ON app.x_jobs (owner_id, priority DESC, run_at, id) WHERE status = 'PENDING'");
    assertThatThrownBy(() -> PostgresJobStore.fairClaimIndexSql("app; DROP TABLE jobs", ""))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("schema");
    assertThatThrownBy(() -> PostgresJobStore.fairClaimIndexSql("app", "X-"))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("tablePrefix");
  }

  @Test
  void theProviderTakesTheOption() {
    TestPostgres.Server s = TestPostgres.server();
    try (JobStore store = JobStores.open(s.url(), Map.of("user", s.user(), "password", s.password(), "schema",
        schema.name(), "fairClaimIndex", "true", "maxPoolSize", "2"))) {
      assertThat(index()).endsWith(":true");
    }
    assertThatThrownBy(() -> JobStores.open(s.url(), Map.of("user", s.user(), "schema", schema.name(), "fairClaimIndex", "on")))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("fairClaimIndex").hasMessageContaining("'on'");
  }

  @Test
  void fairClaimsReadTheIndexOnlyWhenItIsValidAndTakeTheSameJobsEitherWay() throws Exception {
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      for (int i = 0; i < 12; i++) {
        store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).owner(i < 8 ? "alice" : "bob").runAt(clock.instant().minusSeconds(60 - i)).build()));
      }
      List<String> scanned = fairCandidates();
      assertThat(scanned.get(0)).isEqualTo("jobs_fair_scan");

      schema.execute(PostgresJobStore.fairClaimIndexSql(schema.name(), ""));
      List<String> indexed = fairCandidates();
      assertThat(indexed.get(0)).isEqualTo("jobs_fair_candidates");
      assertThat(indexed.subList(1, indexed.size())).as("the same jobs in the same order").isEqualTo(scanned.subList(1, scanned.size()));

      schema.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass('" + schema.name() + "." + INDEX + "')");
      assertThat(fairCandidates().get(0)).as("an index not valid is not read").isEqualTo("jobs_fair_scan");

      assertThat(store.claim(new ClaimRequest("w", Set.of(NewJobBuilder.DEFAULT_TYPE), 4, Duration.ofMinutes(1), true)))
          .extracting(j -> j.ownerId()).containsExactlyInAnyOrder("alice", "bob", "alice", "bob");
    }
  }

  /** The calls of both fair functions this session has counted, as {@code name=calls,...}. */
  private String calls(Statement s) throws java.sql.SQLException {
    try (ResultSet rs = s.executeQuery("SELECT coalesce(string_agg(funcname || '=' || calls, ','), '') FROM pg_stat_xact_user_functions"
        + " WHERE schemaname = '" + schema.name() + "' AND funcname IN ('jobs_fair_scan', 'jobs_fair_candidates')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(String calls, String function) {
    for (String entry : calls.split(",")) {
      if (entry.startsWith(function + "=")) {
        return Long.parseLong(entry.substring(function.length() + 1));
      }
    }
    return 0;
  }

  /**
   * One fair {@code jobs_claim_candidates} of 6, rolled back: the function that chose, then the
   * owners of the chosen jobs in order.
   */
  private List<String> fairCandidates() throws Exception {
    SchemaNames names = new SchemaNames(schema.name(), "");
    try (Connection c = schema.dataSource().getConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      try {
        s.execute("SET LOCAL track_functions = 'all'");
        // The view holds what this session has not reported yet, so what the call adds is the difference.
        String before = calls(s);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT j.owner_id FROM unnest(" + names.function("jobs_claim_candidates")
            + "('" + clock.instant().plusSeconds(1) + "'::timestamptz, ARRAY['" + NewJobBuilder.DEFAULT_TYPE + "'], 6, '{}', '{}', '{}', true))"
            + " WITH ORDINALITY AS c(id, n) JOIN " + names.jobs() + " AS j ON j.id = c.id ORDER BY c.n")) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        String after = calls(s);
        String scan = "jobs_fair_scan";
        out.add(0, count(after, scan) > count(before, scan) ? scan : "jobs_fair_candidates");
        assertThat(count(after, "jobs_fair_candidates") + count(after, scan))
            .as("one of the two ran").isEqualTo(count(before, "jobs_fair_candidates") + count(before, scan) + 1);
        return out;
      } finally {
        c.rollback();
      }
    }
  }
}
