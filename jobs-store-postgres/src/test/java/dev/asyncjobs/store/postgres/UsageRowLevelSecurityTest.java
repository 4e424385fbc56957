package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.RestrictedRole.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage is the workers' (the tables' owner) to write: a web tier's role, granted exactly as
 * docs/postgresql.md says, may neither insert a job with usage nor change a job's usage, nor call
 * jobs_usage_add; a role granted whole rows is refused the same by V11's trigger. Both still read
 * their owner's usage. Every refusal is checked on a real unprivileged role, with raw SQL and
 * through a store built on that role, and leaves the usage as the worker recorded it.
 */
class UsageRowLevelSecurityTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final MutableClock CLOCK = new MutableClock();
  private static final Usage RECORDED = Usage.of("gpt-4o").inputTokens(812).outputTokens(240).build();
  private static RestrictedRole web;
  private static Job running;

  @BeforeAll
  static void setUp() {
    try (PostgresJobStore owner = schema.storeBuilder(CLOCK).build()) {
      owner.insert(InsertRequest.of(NewJobBuilder.newJob(CLOCK).owner("alice").type("text").build()));
      running = owner.claim(new ClaimRequest("w1", Set.of("text"), 1, Duration.ofHours(1))).get(0);
      owner.recordUsage(Lease.of(running), RECORDED);
    }
    web = RestrictedRole.web(schema, "web");
  }

  @AfterAll
  static void tearDown() {
    web.close();
  }

  private static String jobs() {
    return schema.name() + ".jobs";
  }

  private static String usageNow() {
    return schema.value("SELECT usage::text || ' ' || attempt_usage::text FROM " + jobs() + " WHERE id = '" + running.id() + "'");
  }

  private static void refusedUsageWrites(Connection c, String insertMessage, String updateMessage) {
    for (String column : List.of("usage", "attempt_usage")) {
      refused(c, "INSERT INTO " + jobs() + " (id, owner_id, type, payload, " + column + ", created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'alice', 'text', '{}', '{\"1\":{\"gpt-4o\":{\"input_tokens\":1}}}', now(), now(), now())",
          insertMessage);
      refused(c, "UPDATE " + jobs() + " SET " + column + " = '{}' WHERE id = '" + running.id() + "'", updateMessage);
    }
  }

  @Test
  void theWebRoleCanNeitherInsertNorUpdateUsageNorCallTheSqlFunction() throws SQLException {
    String before = usageNow();
    try (Connection c = web.as("alice")) {
      refusedUsageWrites(c, "permission denied for table jobs", "permission denied for table jobs");
      refused(c, "SELECT " + schema.name() + ".jobs_usage_add('{}', '{}')", "permission denied for function jobs_usage_add");
    }
    assertThat(usageNow()).isEqualTo(before);
  }

  /** The recipe names neither column (MigrationTest checks the roles granted before V7 the same). */
  @Test
  void noGrantOfTheWebRoleNamesTheUsageColumns() {
    for (String column : List.of("usage", "attempt_usage")) {
      for (String privilege : List.of("INSERT", "UPDATE")) {
        assertThat(schema.value("SELECT has_column_privilege('" + schema.name() + "_web', '" + jobs() + "', '" + column + "', '"
            + privilege + "')")).as(privilege + " " + column).isEqualTo("f");
      }
    }
  }

  /** An installation that granted whole rows before V5: the trigger refuses it usage all the same. */
  @Test
  void withWholeRowGrantsTheTriggerStillRefusesUsageWrites() throws SQLException {
    String before = usageNow();
    try (RestrictedRole broad = RestrictedRole.wholeRows(schema, "broad"); Connection c = broad.as("alice")) {
      refusedUsageWrites(c, "may not insert a job with usage", "may not change the usage of a job");
      try (Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE " + jobs() + " SET progress = 30 WHERE id = '" + running.id() + "'"))
            .as("progress forwards is still a web tier's change").isEqualTo(1);
        assertThat(st.executeUpdate("INSERT INTO " + jobs() + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
            + " VALUES (gen_random_uuid(), 'alice', 'text', '{}', now(), now(), now())")).as("a plain create").isEqualTo(1);
      }
    }
    assertThat(usageNow()).isEqualTo(before);
  }

  @Test
  void aStoreOnTheWebRoleReadsItsOwnersUsageButCannotRecordAny() {
    String before = usageNow();
    try (HikariDataSource pool = new HikariDataSource(); PostgresJobStore store = web.store(CLOCK, pool)) {
      assertThat(store.rowLevelSecurityActive()).isTrue();
      assertThat(store.find("alice", running.id()).orElseThrow().usage()).isEqualTo(RECORDED);
      assertThatThrownBy(() -> store.recordUsage(Lease.of(running), RECORDED))
          .isInstanceOf(JobStoreException.class).hasMessageContaining("permission denied")
          .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("42501"));
    }
    assertThat(usageNow()).isEqualTo(before);
  }
}
