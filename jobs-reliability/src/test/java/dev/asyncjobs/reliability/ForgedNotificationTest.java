package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.ExecutionLedger;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.reliability.support.LogFile;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import dev.asyncjobs.testing.sse.SseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A role with no privileges sends forged hints and notifications of every kind while jobs run in a
 * worker JVM: no job changes state, no client receives anything it did not cause, nothing is logged
 * as if an owner did it.
 *
 * <p>Up to V3 a change notification carried the event as JSON, and workers acted on it: any role
 * that can connect may {@code NOTIFY} any channel, so a forged {@code CANCEL_REQUESTED} cancelled
 * another tenant's running job. Since V4 every change is a row of {@code jobs_events} (written only
 * by the tables' triggers), and a notification is only a payload-free "read the log now" hint whose
 * content the listener never reads. Here the forger sends the old documents of every kind (one by
 * one and as arrays, naming the victim's real running jobs, its owner and type, with a phishing
 * progress message), garbage, payloads close to PostgreSQL's 8,000-byte limit and empty hints, on
 * the store's channel and on other plausible ones, in autocommit bursts and in one transaction. It
 * cannot write the log or even ask where the log stands. Afterwards every job has run once to
 * completion, and every event the SSE streams and the subscriptions delivered is a row of the log.
 */
class ForgedNotificationTest {
  private static final Logger LOG = LoggerFactory.getLogger(ForgedNotificationTest.class);
  private static final Path LOGS = Path.of("target", "reliability-logs", "forged");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String VICTIM = "victim";
  private static final String BYSTANDER = "bystander";
  private static final String PHISHING = "Session expired: paste your token at https://evil.example";
  /** The victim's jobs: one worker JVM runs them all at once, each for about 10 s. */
  private static final int JOBS = 8;
  private static final int STEPS = 20;
  private static final int STEP_MILLIS = 500;
  /** What a worker logs when it acts on an event about one of its running attempts. */
  private static final List<String> ACTED_ON_AN_EVENT = List.of(
      "cancellation requested", "lease lost", "cancelled by its owner", "interrupting", "rescued", "lease expired");

  /** One row of {@code jobs_events}. */
  private record LogRow(long seq, UUID jobId, String owner, String kind, String status, int progress, @Nullable String message,
      int attempt) {}

  @Test
  void forgedNotificationsChangeNoJobReachNoClientAndAreNotLoggedAsAnOwnersAct() throws Exception {
    Schema schema = Schema.create(TestPostgres.server(), "forged");
    String forger = schema.name() + "_forger";
    String channel = schema.name() + ".jobs";
    try (PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "test")).quotaPolicy(QuotaPolicy.unlimited()).build();
        HttpApi api = new HttpApi(jobs);
        WorkerFleet fleet = new WorkerFleet(schema, "forged", List.of(
            "-Dworker.concurrency=" + JOBS, "-Dworker.pollMillis=250", "-Dworker.leaseMillis=10000", "-Dworker.record=true",
            // INFO, so that "cancellation requested" (an INFO line) would be seen, and every completion is
            "-Dorg.slf4j.simpleLogger.log.dev.asyncjobs=info"), LOGS)) {
      ExecutionLedger ledger = ExecutionLedger.install(schema);
      schema.execute("CREATE ROLE " + forger + " LOGIN PASSWORD 'forger'");
      try {
        fleet.startAndAwait(1);
        ChildJvm worker = fleet.live().values().iterator().next();

        // the clients: the victim and a bystander over SSE, and subscriptions in this JVM
        EventRecorder victimEvents = new EventRecorder();
        EventRecorder bystanderEvents = new EventRecorder();
        EventRecorder everyOwner = new EventRecorder();
        try (SseClient victimStream = api.events(api.token(VICTIM));
            SseClient bystanderStream = api.events(api.token(BYSTANDER));
            Subscription victimSub = jobs.subscribe(VICTIM, victimEvents);
            Subscription bystanderSub = jobs.subscribe(BYSTANDER, bystanderEvents);
            Subscription allSub = jobs.subscribeAll(everyOwner)) {
          long victimReady = Long.parseLong(
              Objects.requireNonNull(victimStream.awaitReceived(e -> e.event().equals("ready"), WAIT, "victim's ready").id()));
          bystanderStream.awaitReceived(e -> e.event().equals("ready"), WAIT, "bystander's ready");
          // the worker's listener and this JVM's are on the channel (a forgery reaches them both)
          awaitListeners(schema, channel, 2);

          List<Job> victims = new ArrayList<>();
          for (int i = 0; i < JOBS; i++) {
            victims.add(jobs.create(JobRequest.builder(VICTIM, RecordingGenerator.TYPE)
                .payloadOf(new RecordingGenerator.Work(i, STEPS, STEP_MILLIS)).build()));
          }
          Set<UUID> victimIds = victims.stream().map(Job::id).collect(Collectors.toSet());
          Waits.until("every victim job PROCESSING", WAIT,
              () -> ledger.statusCounts().equals(Map.of("PROCESSING", (long) JOBS)), () -> ledger.statusCounts().toString());
          // and really running in the worker: each has recorded its execution
          Waits.until("every victim job executing", WAIT,
              () -> schema.number("SELECT count(*) FROM " + schema.table("executions")) == JOBS,
              () -> schema.number("SELECT count(*) FROM " + schema.table("executions")) + " executions");

          Forgery forgery;
          try (Connection c = DriverManager.getConnection(schema.server().url(), forger, "forger")) {
            assertHasNoPrivileges(schema, forger, c);
            assertCannotWriteOrReadTheLog(schema, c, victims.get(0).id());
            forgery = forge(c, schema, channel, victims);
            // every job was still running when the last forgery was delivered
            assertThat(ledger.statusCounts()).as("jobs after the forgery").isEqualTo(Map.of("PROCESSING", (long) JOBS));
            // the forger listens too: PostgreSQL delivered its forgeries on the store's channel, and
            // what the store itself sends there carries nothing but whether its writes only
            // appended events (claims, progress)
            Waits.until("a hint of the store heard by the forger", WAIT, () -> forgery.listen(c, true) > 0,
                () -> forgery.foreignHeard + " hints heard");
          }
          LOG.info("forged {} notifications ({} on the store's channel), heard {} of its own back and {} hints of the store",
              forgery.sent, forgery.sentOnStoreChannel, forgery.ownHeard, forgery.foreignHeard);
          assertThat(forgery.ownHeard).as("the forger's own notifications, delivered on the store's channel").isPositive();
          assertThat(forgery.foreignPayloads).as("payloads of the store's hints")
              .isSubsetOf("", dev.asyncjobs.store.postgres.internal.HintSender.EVENTS_PAYLOAD);

          // every job runs to completion, once, as without forgery
          Waits.until("every victim job COMPLETED", WAIT, () -> ledger.completed() == JOBS, () -> ledger.statusCounts().toString());
          ledger.assertEveryJobCompletedOnceByItsLastAttempt(JOBS);
          assertThat(schema.number("SELECT count(*) FROM " + schema.table("executions"))).as("executions").isEqualTo(JOBS);
          assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE attempts <> 1 OR cancel_requested"))
              .as("jobs retried or asked to cancel").isZero();
          assertThat(ledger.reportedLeaseLosses()).as("lease losses the worker reported").isEmpty();
          assertThat(ledger.rescues()).as("rescues").isZero();

          // the log holds the victim's own events and nothing else
          List<LogRow> log = log(schema);
          assertThat(log).as("the event log").isNotEmpty().allSatisfy(r -> {
            assertThat(r.owner()).isEqualTo(VICTIM);
            assertThat(victimIds).contains(r.jobId());
            assertThat(r.kind()).isIn("CREATED", "STARTED", "PROGRESS", "COMPLETED");
            assertThat(r.attempt()).isLessThanOrEqualTo(1);
            assertThat(r.message()).satisfiesAnyOf(m -> assertThat(m).isNull(), m -> assertThat(m).matches("step \\d+ of " + STEPS));
          });
          for (UUID id : victimIds) {
            List<String> kinds = log.stream().filter(r -> r.jobId().equals(id)).map(LogRow::kind).collect(Collectors.toList());
            assertThat(kinds).as("events of job %s", id).startsWith("CREATED", "STARTED").endsWith("COMPLETED")
                .containsOnlyOnce("CREATED", "STARTED", "COMPLETED");
          }
          long lastSeq = log.get(log.size() - 1).seq();
          Map<Long, LogRow> bySeq = log.stream().collect(Collectors.toMap(LogRow::seq, r -> r));

          // the clients get exactly the log's events, and no more
          victimStream.awaitReceived(e -> e.event().equals("job") && Long.toString(lastSeq).equals(e.id()), WAIT, "the log's last event");
          victimEvents.await(e -> e.sequence() == lastSeq, WAIT, "the log's last event");
          everyOwner.await(e -> e.sequence() == lastSeq, WAIT, "the log's last event");
          assertSseCarriesOnlyTheLog(victimStream, bySeq, log, victimReady);
          assertDeliveredOnlyTheLog(victimEvents, bySeq, log, victimSub.startedAfter(), "victim's subscription");
          assertDeliveredOnlyTheLog(everyOwner, bySeq, log, allSub.startedAfter(), "every owner's subscription");
          assertThat(bystanderEvents.events()).as("the bystander's subscription").isEmpty();
          assertThat(bystanderStream.events()).as("the bystander's stream").extracting(SseClient.Event::event).containsOnly("ready");
          assertThat(victimStream.events()).as("the victim's stream").extracting(SseClient.Event::event).containsOnly("ready", "job");
          assertThat(victimStream.events()).as("the victim's stream").noneMatch(e -> e.data().contains("evil.example"));
          assertThat(victimEvents.events()).as("the victim's subscription").noneMatch(e -> String.valueOf(e.message()).contains("evil"));
        }

        fleet.stopAll(Duration.ofSeconds(15));
        assertWorkerActedOnNoForgery(worker, victimsOf(schema));
      } finally {
        schema.execute("DROP ROLE IF EXISTS " + forger);
      }
    } finally {
      schema.close();
    }
  }

  // ------------------------------------------------------------------ the forger

  /** The role is a plain login: no attribute, no membership, no right on the schema or its objects. */
  private static void assertHasNoPrivileges(Schema schema, String forger, Connection c) throws SQLException {
    String s = schema.name();
    assertThat(schema.rows("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolinherit"
        + " FROM pg_roles WHERE rolname = '" + forger + "'")).containsExactly(List.of("f", "f", "f", "f", "f", "t"));
    assertThat(schema.number("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
        + " WHERE r.rolname = '" + forger + "'")).as("role memberships").isZero();
    assertThat(schema.number("SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = '" + forger + "'"))
        .as("table grants").isZero();
    assertThat(schema.rows("SELECT has_database_privilege('" + forger + "', current_database(), 'CONNECT'),"
        + " has_database_privilege('" + forger + "', current_database(), 'CREATE'),"
        + " has_schema_privilege('" + forger + "', '" + s + "', 'USAGE'),"
        + " has_schema_privilege('" + forger + "', '" + s + "', 'CREATE'),"
        + " has_table_privilege('" + forger + "', '" + s + ".jobs_events', 'INSERT'),"
        + " has_table_privilege('" + forger + "', '" + s + ".jobs_events', 'SELECT'),"
        + " has_table_privilege('" + forger + "', '" + s + ".jobs', 'UPDATE'),"
        + " has_function_privilege('" + forger + "', '" + s + ".jobs_events_horizon(bigint, integer)', 'EXECUTE')"))
        .as("CONNECT (PUBLIC's) and nothing else").containsExactly(List.of("t", "f", "f", "f", "f", "f", "f", "f"));
    try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT current_user, session_user")) {
      rs.next();
      assertThat(List.of(rs.getString(1), rs.getString(2))).containsOnly(forger);
    }
  }

  /** Writing the log, reading it, asking where it stands and touching the jobs are all refused. */
  private static void assertCannotWriteOrReadTheLog(Schema schema, Connection c, UUID running) {
    String events = schema.table("jobs_events");
    String forgedRow = "(" + Long.MAX_VALUE / 2 + ", '" + running + "', '" + VICTIM + "', 'CANCEL_REQUESTED', '"
        + RecordingGenerator.TYPE + "', 'PROCESSING', 0, '" + PHISHING + "', 1, NULL, now())";
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("INSERT INTO " + events + " (seq, job_id, owner_id, kind, type, status, progress, message, attempt, run_at, at)"
        + " VALUES " + forgedRow, "insert into the log");
    refused.put("INSERT INTO " + events + " VALUES " + forgedRow, "insert into the log, no column list");
    refused.put("SELECT " + schema.table("jobs_events_horizon") + "(0, 10)", "the log's horizon");
    refused.put("SELECT * FROM " + events, "read the log");
    refused.put("SELECT " + schema.table("jobs_events_fence") + "()", "the log's fence");
    refused.put("SELECT nextval('" + schema.table("jobs_events_seq") + "')", "take a log number");
    refused.put("UPDATE " + schema.table("jobs") + " SET cancel_requested = true WHERE id = '" + running + "'", "request a cancel");
    refused.put("SELECT count(*) FROM " + schema.table("jobs"), "read the jobs");
    refused.put("SET ROLE postgres", "become the tables' owner");
    for (Map.Entry<String, String> r : refused.entrySet()) {
      SQLException e = catchThrowableOfType(SQLException.class, () -> execute(c, r.getKey()));
      assertThat((Throwable) e).as("%s: %s", r.getValue(), r.getKey()).isNotNull();
      assertThat(e.getSQLState()).as("%s: %s", r.getValue(), e.getMessage()).isEqualTo("42501");
      assertThat(e.getMessage()).as(r.getValue()).contains("permission denied");
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** What the forger sent and heard. */
  private static final class Forgery {
    int sent;
    int sentOnStoreChannel;
    int ownHeard;
    int foreignHeard;
    final List<String> foreignPayloads = new ArrayList<>();
    final int ownPid;
    final String storeChannel;

    Forgery(int ownPid, String storeChannel) {
      this.ownPid = ownPid;
      this.storeChannel = storeChannel;
    }

    /** Takes what arrived on the forger's connection; returns the hints of the store heard so far. */
    int listen(Connection c, boolean wait) {
      try {
        PGConnection pg = c.unwrap(PGConnection.class);
        PGNotification[] got = wait ? pg.getNotifications(100) : pg.getNotifications();
        if (got != null) {
          for (PGNotification n : got) {
            if (n.getPID() == ownPid) {
              ownHeard++;
            } else if (n.getName().equals(storeChannel)) {
              foreignHeard++;
              foreignPayloads.add(n.getParameter());
            }
          }
        }
        return foreignHeard;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Three bursts of every forgery on every channel: autocommit, one transaction, autocommit again.
   * The store's channel is listened on by the forger too, so that it hears PostgreSQL deliver them.
   */
  private static Forgery forge(Connection c, Schema schema, String channel, List<Job> victims) throws SQLException {
    int pid;
    try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pid = rs.getInt(1);
    }
    Forgery f = new Forgery(pid, channel);
    execute(c, "LISTEN \"" + channel + "\"");
    List<String> channels = List.of(channel, "jobs", "public.jobs", "asyncjobs", schema.name(), schema.name() + "_jobs",
        schema.name() + ".jobs_events", "asyncjobs_" + md5(channel));
    List<String> payloads = payloads(victims);
    // pg_notify refuses 8,000 bytes and more: the near-limit forgeries are as long as it takes
    SQLException tooLong = catchThrowableOfType(SQLException.class, () -> notify(c, channel, "x".repeat(8000)));
    assertThat((Throwable) tooLong).as("an 8,000-byte payload").isNotNull().hasMessageContaining("too long");
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      for (int round = 0; round < 3; round++) {
        boolean oneTransaction = round == 1;
        c.setAutoCommit(!oneTransaction);
        for (String payload : payloads) {
          for (String ch : channels) {
            ps.setString(1, ch);
            ps.setString(2, payload);
            ps.execute();
            f.sent++;
            if (ch.equals(channel)) {
              f.sentOnStoreChannel++;
            }
          }
          if (!oneTransaction) {
            f.listen(c, false);
          }
        }
        // empty hints in the plain statement form too
        for (int i = 0; i < 20; i++) {
          execute(c, "NOTIFY \"" + channel + "\"");
          f.sent++;
          f.sentOnStoreChannel++;
        }
        if (oneTransaction) {
          c.commit();
          c.setAutoCommit(true);
        }
        f.listen(c, false);
      }
    }
    return f;
  }

  private static void notify(Connection c, String channel, String payload) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, payload);
      ps.execute();
    }
  }

  /**
   * Every forgery: V1/V3 documents of every kind for every running job of the victim, arrays of
   * them, a would-be log entry with a sequence number, garbage, near-limit payloads and empty ones.
   */
  private static List<String> payloads(List<Job> victims) {
    List<String> out = new ArrayList<>();
    Instant now = Instant.now();
    ArrayNode allCancels = JSON.createArrayNode();
    for (Job v : victims) {
      ArrayNode everyKind = JSON.createArrayNode();
      for (JobEvent.Kind kind : JobEvent.Kind.values()) {
        ObjectNode doc = oldDocument(kind, v, now);
        out.add(doc.toString());
        everyKind.add(doc);
      }
      out.add(everyKind.toString());
      allCancels.add(oldDocument(JobEvent.Kind.CANCEL_REQUESTED, v, now));
      // as the new log would carry it: a sequence number, a job id, an owner
      ObjectNode withSeq = oldDocument(JobEvent.Kind.CANCEL_REQUESTED, v, now);
      withSeq.put("seq", Integer.MAX_VALUE).put("sequence", Integer.MAX_VALUE).put("job_id", v.id().toString())
          .put("owner_id", VICTIM);
      out.add(withSeq.toString());
      // the id alone, or a kind and an id
      out.add(v.id().toString());
      out.add("CANCEL_REQUESTED " + v.id());
      out.add("{\"kind\":\"CANCELLED\",\"id\":\"" + v.id() + "\"}");
    }
    out.add(allCancels.toString());
    Job first = victims.get(0);
    // near the limit: an array of cancels, a progress with a long phishing message, plain filler
    ArrayNode longArray = JSON.createArrayNode();
    for (int i = 0; longArray.toString().length() < 7500; i++) {
      longArray.add(oldDocument(JobEvent.Kind.CANCEL_REQUESTED, victims.get(i % victims.size()), now));
    }
    out.add(longArray.toString());
    ObjectNode longProgress = oldDocument(JobEvent.Kind.PROGRESS, first, now);
    String base = longProgress.toString();
    longProgress.put("message", PHISHING + " " + "!".repeat(7990 - base.length() - PHISHING.length() - 1));
    out.add(longProgress.toString());
    out.add("x".repeat(7999));
    out.add("\u00e9".repeat(3999)); // 7,998 bytes of two-byte characters
    // garbage
    out.addAll(List.of("null", "{}", "[]", "[{}]", "{", "]", "[null,1,\"a\"]", "\"CANCEL_REQUESTED\"", "true", "-1",
        "{\"kind\":\"NOPE\",\"id\":\"not-a-uuid\",\"owner\":\"" + VICTIM + "\"}",
        "{\"kind\":\"CANCEL_REQUESTED\",\"id\":\"" + first.id() + "\",\"attempt\":1e309,\"at\":\"yesterday\"}",
        "'; UPDATE jobs SET status = 'CANCELLED'; --", "\\x00\\xff\\u0000", "sn\u00f6wman \u2603 \ud83d\ude00 \u202eevil",
        PHISHING, "<script>alert(1)</script>"));
    // empty: a hint like the store's own, many times
    for (int i = 0; i < 20; i++) {
      out.add("");
    }
    return out;
  }

  /** The JSON document V1-V3 sent for an event of {@code job}: {kind, id, owner, type, status, progress, message, attempt, run_at, at}. */
  private static ObjectNode oldDocument(JobEvent.Kind kind, Job job, Instant now) {
    String status = switch (kind) {
      case CREATED, RETRY_SCHEDULED -> "PENDING";
      case STARTED, PROGRESS, CANCEL_REQUESTED, TEXT_DELTA, OUTPUT_PART, OUTPUT_RESTARTED -> "PROCESSING";
      case COMPLETED -> "COMPLETED";
      case FAILED -> "FAILED";
      case CANCELLED -> "CANCELLED";
    };
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", kind.name()).put("id", job.id().toString()).put("owner", VICTIM).put("type", RecordingGenerator.TYPE)
        .put("status", status).put("progress", kind == JobEvent.Kind.COMPLETED ? 100 : kind == JobEvent.Kind.PROGRESS ? 99 : 0);
    switch (kind) {
      case PROGRESS, STARTED -> o.put("message", PHISHING);
      case FAILED, RETRY_SCHEDULED -> o.put("message", "failed: " + PHISHING);
      default -> { }
    }
    o.put("attempt", 1);
    if (kind == JobEvent.Kind.RETRY_SCHEDULED) {
      o.put("run_at", micros(now));
    }
    o.put("at", micros(now));
    return o;
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  private static String md5(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ evidence

  /** Waits until {@code n} connections of the store listen on the channel. */
  private static void awaitListeners(Schema schema, String channel, int n) {
    String sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'asyncjobs-listener'"
        + " AND query = 'LISTEN \"" + channel + "\"'";
    Waits.until(n + " listening connections", WAIT, () -> schema.number(sql) >= n, () -> schema.number(sql) + " listening");
  }

  private static List<LogRow> log(Schema schema) {
    return schema.rows("SELECT seq, job_id, owner_id, kind, status, progress, message, attempt FROM "
            + schema.table("jobs_events") + " ORDER BY seq").stream()
        .map(r -> new LogRow(Long.parseLong(r.get(0)), UUID.fromString(r.get(1)), r.get(2), r.get(3), r.get(4),
            Integer.parseInt(r.get(5)), r.get(6), Integer.parseInt(r.get(7))))
        .collect(Collectors.toList());
  }

  private static Set<String> victimsOf(Schema schema) {
    return Set.copyOf(schema.column("SELECT id FROM " + schema.table("jobs") + " WHERE owner_id = '" + VICTIM + "'"));
  }

  /** Every {@code job} event of the stream is the log row its id names; together, the log after the stream's start. */
  private static void assertSseCarriesOnlyTheLog(SseClient stream, Map<Long, LogRow> bySeq, List<LogRow> log, long startedAfter)
      throws IOException {
    List<Long> delivered = new ArrayList<>();
    for (SseClient.Event e : stream.events()) {
      if (!e.event().equals("job")) {
        continue;
      }
      long seq = Long.parseLong(Objects.requireNonNull(e.id(), "id of " + e));
      LogRow row = bySeq.get(seq);
      assertThat(row).as("log row of the stream's event %s", e).isNotNull();
      JsonNode data = JSON.readTree(e.data());
      assertThat(data.get("jobId").asText()).as("job of %s", e).isEqualTo(row.jobId().toString());
      assertThat(data.get("kind").asText()).as("kind of %s", e).isEqualTo(row.kind());
      assertThat(data.get("status").asText()).as("status of %s", e).isEqualTo(row.status());
      assertThat(data.get("progress").asInt()).as("progress of %s", e).isEqualTo(row.progress());
      assertThat(data.get("message").isNull() ? null : data.get("message").asText()).as("message of %s", e).isEqualTo(row.message());
      assertThat(data.get("attempt").asInt()).as("attempt of %s", e).isEqualTo(row.attempt());
      delivered.add(seq);
    }
    assertThat(delivered).as("the stream's event ids").isEqualTo(seqsAfter(log, startedAfter));
  }

  /** Every event delivered is the log row of its sequence; together, the log after the subscription's start, in order. */
  private static void assertDeliveredOnlyTheLog(EventRecorder recorder, Map<Long, LogRow> bySeq, List<LogRow> log, long startedAfter,
      String what) {
    List<JobEvent> events = recorder.events();
    for (JobEvent e : events) {
      LogRow row = bySeq.get(e.sequence());
      assertThat(row).as("%s: log row of %s", what, e).isNotNull();
      assertThat(new LogRow(e.sequence(), e.jobId(), e.ownerId(), e.kind().name(), e.status().name(), e.progress(), e.message(),
          e.attempt())).as("%s: event %s", what, e.sequence()).isEqualTo(row);
    }
    assertThat(events).extracting(JobEvent::sequence).as(what).isEqualTo(seqsAfter(log, startedAfter));
  }

  private static List<Long> seqsAfter(List<LogRow> log, long startedAfter) {
    return log.stream().map(LogRow::seq).filter(s -> s > startedAfter).collect(Collectors.toList());
  }

  /** The worker ran every job to completion and logged nothing about cancels, lost leases or the forgeries. */
  private static void assertWorkerActedOnNoForgery(ChildJvm worker, Set<String> victims) throws IOException {
    List<LogFile.Entry> entries = LogFile.read(worker.logFile());
    assertThat(entries).as("lines of %s about acting on an event", worker.name())
        .noneMatch(e -> ACTED_ON_AN_EVENT.stream().anyMatch(p -> e.message().toLowerCase(java.util.Locale.ROOT).contains(p)));
    assertThat(entries).as("warnings and errors of %s", worker.name())
        .noneMatch(e -> e.isProblem() && e.logger().startsWith("dev.asyncjobs"));
    Set<String> completed = entries.stream().filter(e -> e.message().contains(" completed in "))
        .map(e -> e.message().replaceFirst("^job (\\S+) completed in .*$", "$1")).collect(Collectors.toSet());
    assertThat(completed).as("jobs %s logged as completed", worker.name()).isEqualTo(victims);
    String text = Files.readString(worker.logFile(), StandardCharsets.UTF_8);
    assertThat(text).as("log of %s", worker.name()).doesNotContain("evil.example").doesNotContain("CANCEL_REQUESTED");
  }
}
