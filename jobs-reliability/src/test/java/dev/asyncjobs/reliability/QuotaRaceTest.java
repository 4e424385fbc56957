package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.reliability.child.QuotaRaceMain;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 200 creates for one owner at the same moment, from two processes of 100 threads each: exactly as
 * many succeed as the quota allows, every other one is refused with {@code QuotaExceededException}
 * naming the limit (through HTTP: 429 with the limit and {@code Retry-After}, each process being a
 * web node of its own on the shared database), and the database holds exactly the allowed jobs and
 * quota records. Both processes wait with every thread armed until the test sends GO to both.
 */
class QuotaRaceTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "quota-race");
  private static final int PROCESSES = 2;
  private static final int THREADS = 100;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String SECRET = dev.asyncjobs.examples.http.JwtAuth.randomSecret();
  private static Schema schema;

  @BeforeAll
  static void createSchema() {
    schema = Schema.create(TestPostgres.server(), "race");
    schema.storeBuilder().build().close(); // migrates once, before the racers start
  }

  @AfterAll
  static void dropSchema() {
    schema.close();
  }

  @ParameterizedTest(name = "{0} through {6}: {1}/hour, {2}/day, one create every {3} ms: {4} succeed")
  @CsvSource({
      "fifty-an-hour, 50, 1000, 0, 50, PER_HOUR, manager",
      "ten-an-hour, 10, 100, 60000, 1, MIN_INTERVAL, manager",
      "fifty-an-hour-http, 50, 1000, 0, 50, PER_HOUR, http"})
  void exactlyTheLimitSucceedsAndEveryOtherCreateIsRefused(
      String owner, int perHour, int perDay, long minIntervalMillis, int allowed, String refusingLimit, String channel) {
    List<ChildJvm> racers = new ArrayList<>();
    try {
      for (int p = 1; p <= PROCESSES; p++) {
        List<String> options = new ArrayList<>(schema.childProperties());
        options.addAll(List.of("-Dquota.perHour=" + perHour, "-Dquota.perDay=" + perDay,
            "-Dquota.minIntervalMillis=" + minIntervalMillis, "-Dworker.connectionTimeoutMillis=30000",
            "-Drace.jwtSecret=" + SECRET));
        racers.add(ChildJvm.start(owner + "-" + p, QuotaRaceMain.class, options, List.of(owner, String.valueOf(THREADS), channel), LOGS));
      }
      racers.forEach(r -> r.awaitLine("READY"::equals, WAIT, "READY"));
      racers.forEach(r -> r.send("GO"));
      List<String> outcomes = new ArrayList<>();
      for (ChildJvm r : racers) {
        r.awaitLine("DONE"::equals, WAIT, "DONE");
        outcomes.addAll(r.lines().stream().filter(l -> !l.equals("READY") && !l.equals("DONE")).collect(Collectors.toList()));
      }

      assertThat(outcomes).hasSize(PROCESSES * THREADS);
      assertThat(outcomes).filteredOn(o -> o.startsWith("ERROR")).as("creates that failed otherwise").isEmpty();
      List<String> created = outcomes.stream().filter(o -> o.startsWith("OK ")).map(o -> o.substring(3)).collect(Collectors.toList());
      assertThat(created).as("creates that succeeded").hasSize(allowed).doesNotHaveDuplicates();
      long limitValue = refusingLimit.equals("MIN_INTERVAL") ? minIntervalMillis / 1000 : perHour;
      assertThat(outcomes).filteredOn(o -> o.startsWith("QUOTA"))
          .hasSize(PROCESSES * THREADS - allowed)
          .allMatch(o -> o.equals("QUOTA " + refusingLimit + " " + limitValue), "refused by " + refusingLimit + " " + limitValue);
      assertThat(schema.column("SELECT id FROM " + schema.table("jobs") + " WHERE owner_id = '" + owner + "'"))
          .containsExactlyInAnyOrderElementsOf(created);
      assertThat(schema.number("SELECT coalesce(sum(job_count), 0) FROM " + schema.table("jobs_quota_ledger")
          + " WHERE owner_id = '" + owner + "'")).as("quota records").isEqualTo(allowed);
      System.out.printf("quota race %s through %s: %d of %d concurrent creates from %d processes succeeded, %d refused by %s%n",
          owner, channel, created.size(), outcomes.size(), PROCESSES, outcomes.size() - created.size(), refusingLimit);
    } finally {
      racers.forEach(ChildJvm::close);
    }
  }
}
