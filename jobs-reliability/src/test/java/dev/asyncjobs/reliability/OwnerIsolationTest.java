package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.postgres.TestPostgres;
import dev.asyncjobs.testing.sse.SseClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Owners never reach each other's jobs. Every user-facing operation of {@link JobManager} tried by
 * one owner on another's job answers exactly as for an id that does not exist (same exception,
 * same message but for the id), and changes nothing; listings, statistics, quotas and event
 * subscriptions hold only the caller's own. Underneath, with row-level security, raw SQL as the
 * web tier's database role reads and changes only the rows of the owner its transaction names,
 * and cannot switch the policies off.
 */
class OwnerIsolationTest {
  private static final String ALICE = "alice";
  private static final String MALLORY = "mallory";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static Schema schema;
  private static PostgresJobStore store;
  private static JobManager jobs;
  private static String webRole;
  private static Job alicePending;
  private static Job aliceRunning;

  @BeforeAll
  static void setUp() {
    schema = Schema.create(TestPostgres.server(), "isolation");
    store = schema.storeBuilder().build();
    jobs = manager(store);
    alicePending = jobs.create(echo(ALICE, "pending"));
    Job running = jobs.create(echo(ALICE, "running"));
    assertThat(store.claim(new ClaimRequest("isolation-worker", Set.of("echo"), 1, Duration.ofHours(1)))).extracting(Job::id)
        .containsExactly(alicePending.id());
    // the first claimed is the older one; claim the second too and keep it running
    assertThat(store.claim(new ClaimRequest("isolation-worker", Set.of("echo"), 1, Duration.ofHours(1)))).extracting(Job::id)
        .containsExactly(running.id());
    aliceRunning = jobs.updateProgress(ALICE, running.id(), 30, "drawing");
    alicePending = jobs.get(ALICE, alicePending.id());
    jobs.create(echo(MALLORY, "mine"));

    webRole = schema.name() + "_web";
    String s = schema.name();
    // the web tier's role as jobs-store-postgres documents it (docs/postgresql.md, "Row-level security for a web tier")
    schema.execute(
        "CREATE ROLE " + webRole + " LOGIN PASSWORD 'web'",
        PostgresJobStore.webRoleGrants(s, "", webRole));
  }

  @AfterAll
  static void tearDown() {
    try {
      jobs.close();
      store.close();
      schema.execute("DROP OWNED BY " + webRole, "DROP ROLE " + webRole);
    } finally {
      schema.close();
    }
  }

  private static JobManager manager(PostgresJobStore on) {
    return JobManager.builder().store(on).generator(new EchoGenerator())
        .quotaPolicy(owner -> new QuotaLimits(1000, 1000, Duration.ZERO)).build();
  }

  private static JobRequest echo(String owner, String text) {
    return JobRequest.builder(owner, "echo").payloadOf(Map.of("text", text, "repeat", 1)).build();
  }

  /** The operations that name one job, each as a function of (owner, job id). */
  private static Map<String, BiFunction<String, UUID, Object>> operationsOnOneJob(JobManager on) {
    Map<String, BiFunction<String, UUID, Object>> ops = new LinkedHashMap<>();
    ops.put("get", on::get);
    ops.put("find", (owner, id) -> on.find(owner, id).map(Object.class::cast).orElse("(empty)"));
    ops.put("cancel", on::cancel);
    ops.put("updateProgress", (owner, id) -> on.updateProgress(owner, id, 90, "taken over"));
    return ops;
  }

  /** What an operation answered, with the job id replaced, so that two answers compare. */
  private static String answer(BiFunction<String, UUID, Object> op, String owner, UUID id) {
    Throwable t = catchThrowable(() -> op.apply(owner, id));
    if (t == null) {
      return "returned " + op.apply(owner, id).toString().replace(id.toString(), "<id>");
    }
    String field = t instanceof InvalidRequestException r ? " field " + r.field() : "";
    return t.getClass().getName() + field + ": " + Objects.toString(t.getMessage()).replace(id.toString(), "<id>");
  }

  private static void assertForeignAnswersLikeUnknown(JobManager on, List<Job> victims) {
    for (Map.Entry<String, BiFunction<String, UUID, Object>> op : operationsOnOneJob(on).entrySet()) {
      for (Job victim : victims) {
        String foreign = answer(op.getValue(), MALLORY, victim.id());
        String unknown = answer(op.getValue(), MALLORY, UUID.randomUUID());
        assertThat(foreign).as("%s of %s's %s job by %s", op.getKey(), ALICE, victim.status(), MALLORY).isEqualTo(unknown);
        assertThat(foreign).as(op.getKey()).matches(a -> a.equals("returned (empty)") || a.startsWith(JobNotFoundException.class.getName()));
      }
    }
    // and nothing of alice's changed
    assertThat(jobs.get(ALICE, alicePending.id())).isEqualTo(alicePending);
    assertThat(jobs.get(ALICE, aliceRunning.id())).isEqualTo(aliceRunning);
  }

  @Test
  void everyOperationOnAnotherOwnersJobAnswersExactlyLikeAnUnknownId() {
    assertForeignAnswersLikeUnknown(jobs, List.of(alicePending, aliceRunning));
  }

  @Test
  void listsStatisticsQuotasAndSubscriptionsHoldOnlyTheCallersOwn() throws Exception {
    assertThat(jobs.list(JobQuery.forOwner(MALLORY).limit(JobQuery.MAX_LIMIT).build()).items())
        .isNotEmpty().allMatch(j -> j.ownerId().equals(MALLORY));
    assertThat(jobs.list(JobQuery.forOwner(MALLORY).statuses(JobStatus.PROCESSING).build()).items())
        .as("alice's running job is not in mallory's filtered list").isEmpty();
    long malloryJobs = jobs.list(JobQuery.forOwner(MALLORY).limit(JobQuery.MAX_LIMIT).build()).items().size();
    assertThat(jobs.stats(MALLORY)).extracting(JobStats::total).containsExactly(malloryJobs);
    assertThat(jobs.stats(MALLORY)).extracting(JobStats::processing).containsExactly(0L);
    long aliceCreates = jobs.quotaUsage(ALICE).usedLastDay();
    assertThat(jobs.quotaUsage(MALLORY).usedLastDay()).isEqualTo(malloryJobs);

    EventRecorder mallorysEvents = new EventRecorder();
    EventRecorder everyone = new EventRecorder();
    try (Subscription s = jobs.subscribe(MALLORY, mallorysEvents); Subscription all = jobs.subscribeAll(everyone)) {
      Job aliceNew = jobs.create(echo(ALICE, "secret"));
      jobs.cancel(ALICE, aliceNew.id());
      everyone.await(aliceNew.id(), JobEvent.Kind.CANCELLED, WAIT);
      Job marker = jobs.create(echo(MALLORY, "marker"));
      mallorysEvents.await(marker.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(mallorysEvents.events()).extracting(JobEvent::ownerId).containsOnly(MALLORY);
    }
    assertThat(jobs.quotaUsage(ALICE).usedLastDay()).isEqualTo(aliceCreates + 1);
  }

  @Test
  void anOwnerIdThatIsNotTextIsRefusedOnEveryCall() {
    // PostgreSQL's driver writes an unpaired surrogate as '?': "mallory\uD800" would reach "mallory?"
    Job target = jobs.create(echo("mallory?", "not yours"));
    String notText = "mallory\uD800";
    List<Throwable> answers = new ArrayList<>();
    answers.add(catchThrowable(() -> jobs.create(echo(notText, "x"))));
    answers.add(catchThrowable(() -> jobs.get(notText, target.id())));
    answers.add(catchThrowable(() -> jobs.find(notText, target.id())));
    answers.add(catchThrowable(() -> jobs.list(JobQuery.forOwner(notText).build())));
    answers.add(catchThrowable(() -> jobs.cancel(notText, target.id())));
    answers.add(catchThrowable(() -> jobs.updateProgress(notText, target.id(), 10, null)));
    answers.add(catchThrowable(() -> jobs.subscribe(notText, e -> {})));
    answers.add(catchThrowable(() -> jobs.stats(notText)));
    answers.add(catchThrowable(() -> jobs.quotaUsage(notText)));
    assertThat(answers).allSatisfy(t -> assertThat(t).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> assertThat(e.field()).isEqualTo("ownerId")));
    assertThat(jobs.get("mallory?", target.id()).status()).isEqualTo(JobStatus.PENDING);
  }

  // ------------------------------------------------------------------ row-level security

  private static Connection connectAsWeb() throws SQLException {
    return DriverManager.getConnection(schema.server().url(), webRole, "web");
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

  private static @Nullable String sqlError(Connection c, String sql) {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
      return null;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  @Test
  void rawSqlAsTheWebRoleReachesOnlyTheRowsOfTheOwnerItNames() throws SQLException {
    String jobsTable = schema.table("jobs");
    String ledger = schema.table("jobs_quota_ledger");
    try (Connection c = connectAsWeb()) {
      assertThat(owners(c, "SELECT owner_id FROM " + jobsTable)).as("no owner named: nothing").isEmpty();
      assertThat(owners(c, "SELECT owner_id FROM " + ledger)).isEmpty();

      setOwner(c, MALLORY);
      assertThat(owners(c, "SELECT owner_id FROM " + jobsTable)).isNotEmpty().containsOnly(MALLORY);
      assertThat(owners(c, "SELECT owner_id FROM " + jobsTable + " WHERE owner_id = '" + ALICE + "' OR true")).containsOnly(MALLORY);
      assertThat(owners(c, "SELECT owner_id FROM " + jobsTable + " WHERE id = '" + aliceRunning.id() + "'")).isEmpty();
      assertThat(owners(c, "SELECT owner_id FROM " + ledger)).containsOnly(MALLORY);
      try (Statement st = c.createStatement()) {
        assertThat(st.executeUpdate("UPDATE " + jobsTable + " SET status = 'CANCELLED', progress = 100 WHERE id = '"
            + aliceRunning.id() + "'")).as("rows of alice's job updated").isZero();
      }
      // writing rows of another owner, deleting, and switching the policies off all fail
      assertThat(sqlError(c, "INSERT INTO " + jobsTable + " (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), '" + ALICE + "', 'echo', '{}', now(), now(), now())")).contains("row-level security");
      assertThat(sqlError(c, "UPDATE " + jobsTable + " SET owner_id = '" + ALICE + "' WHERE owner_id = '" + MALLORY + "'"))
          .as("handing own rows to alice: owner_id is not a column the web role may write").contains("permission denied");
      assertThat(sqlError(c, "DELETE FROM " + jobsTable)).contains("permission denied");
      assertThat(sqlError(c, "SET row_security = off; SELECT * FROM " + jobsTable)).contains("row-level security");
      assertThat(sqlError(c, "ALTER TABLE " + jobsTable + " DISABLE ROW LEVEL SECURITY")).contains("must be owner");
      assertThat(sqlError(c, "SET ROLE postgres")).contains("permission denied");
    }
    assertThat(jobs.get(ALICE, aliceRunning.id())).as("alice's job after the attempts").isEqualTo(aliceRunning);
  }

  @Test
  void aStoreOnTheWebRoleKeepsOwnersApartToo() {
    try (HikariDataSource web = Schema.pool(schema.server().withUser(webRole, "web"), "web-" + schema.name(), 2);
        PostgresJobStore webStore = PostgresJobStore.builder().dataSource(web).schema(schema.name()).autoMigrate(false).build();
        JobManager webJobs = manager(webStore)) {
      assertThat(webStore.rowLevelSecurityActive()).isTrue();
      assertForeignAnswersLikeUnknown(webJobs, List.of(alicePending, aliceRunning));
      assertThat(webJobs.list(JobQuery.forOwner(MALLORY).limit(JobQuery.MAX_LIMIT).build()).items()).allMatch(j -> j.ownerId().equals(MALLORY));
      assertThat(webJobs.stats(MALLORY)).extracting(JobStats::processing).containsExactly(0L);
    }
  }

  @Test
  void anOwnerReadsItsOwnJobThroughAStoreOnTheWebRole() {
    try (HikariDataSource web = Schema.pool(schema.server().withUser(webRole, "web"), "web-" + schema.name(), 2);
        PostgresJobStore webStore = PostgresJobStore.builder().dataSource(web).schema(schema.name()).autoMigrate(false).build();
        JobManager webJobs = manager(webStore)) {
      assertThat(webJobs.get(ALICE, aliceRunning.id()).id()).isEqualTo(aliceRunning.id());
    }
  }

  // ------------------------------------------------------------------ over HTTP, on the web role

  /** The answer with the id and the path (the problem's {@code instance}) made neutral. */
  private static String neutral(HttpApi.Response r, UUID id) {
    return r.status() + " " + r.contentType() + " " + r.body().replace(id.toString(), "<id>");
  }

  @Test
  void overHttpOnTheWebRoleEveryRouteKeepsOwnersApart() throws Exception {
    try (HikariDataSource web = Schema.pool(schema.server().withUser(webRole, "web"), "web-http-" + schema.name(), 4);
        PostgresJobStore webStore = PostgresJobStore.builder().dataSource(web).schema(schema.name()).autoMigrate(false).build();
        JobManager webJobs = manager(webStore);
        HttpApi api = new HttpApi(webJobs)) {
      String mallory = api.token(MALLORY);
      String alice = api.token(ALICE);
      // one job: foreign and unknown ids answer the same, byte for byte but for the id
      for (Job victim : List.of(alicePending, aliceRunning)) {
        UUID unknown = UUID.randomUUID();
        for (String method : List.of("GET", "DELETE")) {
          HttpApi.Response foreign = api.send(api.request(mallory, "/api/jobs/" + victim.id()).method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build());
          HttpApi.Response missing = api.send(api.request(mallory, "/api/jobs/" + unknown).method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build());
          assertThat(foreign.status()).as("%s of alice's %s job", method, victim.status()).isEqualTo(404);
          assertThat(neutral(foreign, victim.id())).isEqualTo(neutral(missing, unknown));
        }
      }
      assertThat(api.get(alice, "/api/jobs/" + aliceRunning.id()).status()).as("alice reads her own job").isEqualTo(200);

      // lists, statistics and quota: only mallory's
      List<String> malloryIds = new ArrayList<>();
      webJobs.list(JobQuery.forOwner(MALLORY).limit(JobQuery.MAX_LIMIT).build()).items().forEach(j -> malloryIds.add(j.id().toString()));
      List<String> listed = new ArrayList<>();
      api.get(mallory, "/api/jobs?limit=500").json().get("items").forEach(i -> listed.add(i.get("id").asText()));
      assertThat(listed).containsExactlyInAnyOrderElementsOf(malloryIds);
      assertThat(api.get(mallory, "/api/jobs?status=PROCESSING").json().get("items")).isEmpty();
      JsonNode stats = api.get(mallory, "/api/stats").json();
      assertThat(stats.get("scope").asText()).isEqualTo("owner");
      assertThat(stats.get("types").get(0).get("total").asLong()).isEqualTo(malloryIds.size());
      assertThat(stats.get("types").get(0).get("processing").asLong()).isZero();
      assertThat(api.get(mallory, "/api/quota").json().get("usedLastDay").asLong())
          .isEqualTo(webJobs.quotaUsage(MALLORY).usedLastDay());

      // event streams: mallory's carries none of alice's events
      try (SseClient malloryStream = api.events(mallory); SseClient aliceStream = api.events(alice)) {
        malloryStream.awaitReceived(e -> e.event().equals("ready"), WAIT, "ready");
        aliceStream.awaitReceived(e -> e.event().equals("ready"), WAIT, "ready");
        String secret = api.post(alice, "/api/generate", "{\"type\":\"echo\",\"payload\":{\"text\":\"secret\",\"repeat\":1}}").json().get("id").asText();
        assertThat(api.delete(alice, "/api/jobs/" + secret).status()).isEqualTo(200);
        aliceStream.awaitReceived(e -> e.data().contains(secret) && e.data().contains("CANCELLED"), WAIT, "alice's cancelled event");
        String marker = api.post(mallory, "/api/generate", "{\"type\":\"echo\",\"payload\":{\"text\":\"marker\",\"repeat\":1}}").json().get("id").asText();
        malloryStream.awaitReceived(e -> e.data().contains(marker), WAIT, "mallory's marker");
        assertThat(malloryStream.events()).noneMatch(e -> e.data().contains(secret));
        assertThat(malloryStream.events()).filteredOn(e -> e.event().equals("job"))
            .allMatch(e -> malloryIdsNow(webJobs).stream().anyMatch(id -> e.data().contains(id)));
      }
    }
    assertThat(jobs.get(ALICE, alicePending.id())).isEqualTo(alicePending);
    assertThat(jobs.get(ALICE, aliceRunning.id())).isEqualTo(aliceRunning);
  }

  private static List<String> malloryIdsNow(JobManager on) {
    List<String> ids = new ArrayList<>();
    on.list(JobQuery.forOwner(MALLORY).limit(JobQuery.MAX_LIMIT).build()).items().forEach(j -> ids.add(j.id().toString()));
    return ids;
  }
}
