package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.store.postgres.internal.Binds;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.store.postgres.internal.WorkerWrites;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * store sends it, walks the partial pending index and never scans the table, both with its
 * parameters known (custom plan) and as a prepared statement's generic plan.
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
        // In index order, never sorting or hashing the pending jobs, whatever the estimates.
        assertThat(plan).contains("jobs_pending_idx").doesNotContainPattern("Seq Scan on jobs\\b")
            .doesNotContain("Sort").doesNotContain("Hash Join");
      }
    });
  }
}
