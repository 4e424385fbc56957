package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.Waits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code insert} with {@link InsertRequest#transaction()} on a store whose role owns the tables:
 * the jobs, their events and their quota use appear at the caller's commit and vanish at its
 * rollback; the store never ends or closes the caller's transaction, refuses one in auto-commit
 * mode, undoes a refused insert to its savepoint so that the caller can go on, leaves no setting
 * behind, and holds nothing that other owners' creates, claims or completions wait for.
 */
class CallerTransactionInsertTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final QuotaPolicy TEN_AN_HOUR = QuotaPolicy.perOwner(10, 100, Duration.ZERO);
  private final MutableClock clock = new MutableClock();

  @BeforeAll
  static void hostTable() {
    schema.execute("CREATE TABLE " + schema.table("orders") + " (id int PRIMARY KEY)");
  }

  private PostgresJobStore store() {
    schema.execute("TRUNCATE " + schema.table("orders"));
    return schema.emptyStore(clock);
  }

  private NewJobBuilder job(String owner) {
    return NewJobBuilder.newJob(clock).owner(owner);
  }

  @Test
  void theStoreDeclaresTheCapability() {
    try (PostgresJobStore store = store()) {
      assertThat(store.capabilities()).contains(StoreCapability.TRANSACTIONS, StoreCapability.QUOTAS, StoreCapability.STATISTICS);
    }
  }

  @Test
  void aCommittedInsertAppearsWithItsEventAndItsQuotaUseOnlyAtTheCommit() throws Exception {
    try (PostgresJobStore store = store(); Connection c = begin()) {
      Job job = store.insert(InsertRequest.of(job("alice").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
      assertThat(job.status()).isEqualTo(JobStatus.PENDING);
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs"))).as("visible in the transaction").isEqualTo(1);

      assertThat(store.find(job.id())).as("invisible outside before the commit").isEmpty();
      assertThat(store.quotaWindow("alice").lastHour()).isZero();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs_events"))).isZero();

      c.commit();
      assertThat(c.isClosed()).isFalse();
      assertThat(c.getAutoCommit()).isFalse();
      assertThat(store.find(job.id())).contains(job);
      assertThat(store.quotaWindow("alice").lastHour()).isEqualTo(1);
      List<JobEvent> events = Waits.untilValue("the CREATED event to settle", WAIT,
          () -> store.readEvents(EventQuery.allOwners(0, 100)), e -> !e.isEmpty());
      assertThat(events).extracting(JobEvent::jobId, JobEvent::kind).containsExactly(tuple(job.id(), JobEvent.Kind.CREATED));
    }
  }

  @Test
  void aRolledBackInsertLeavesNoRowNoEventForAResumingSubscriberAndNoQuotaUse() throws Exception {
    try (PostgresJobStore store = store()) {
      Job gone;
      try (Connection c = begin()) {
        gone = store.insert(InsertRequest.of(List.of(job("alice").build(), job("alice").idempotencyKey("k").build()))
            .withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
        c.rollback();
      }
      Job kept = store.insert(InsertRequest.of(job("alice").idempotencyKey("k").build()).withQuotas(TEN_AN_HOUR)).get(0);

      EventRecorder resumed = new EventRecorder();
      try (Subscription s = store.subscribe(EventSubscription.allOwners().after(0), resumed)) {
        resumed.await(kept.id(), JobEvent.Kind.CREATED, WAIT);
      }
      assertThat(resumed.events()).extracting(JobEvent::jobId).containsExactly(kept.id());
      assertThat(store.readEvents(EventQuery.allOwners(0, 100))).extracting(JobEvent::jobId).containsExactly(kept.id());
      assertThat(store.find(gone.id())).isEmpty();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(1);
      assertThat(store.quotaWindow("alice").lastHour()).as("only the kept create counts").isEqualTo(1);
      assertThat(kept.id()).as("the key of the rolled-back job is free again").isNotEqualTo(gone.id());
    }
  }

  @Test
  void aConnectionWithoutAnOpenTransactionIsRefusedBeforeAnythingIsWritten() throws Exception {
    try (PostgresJobStore store = store()) {
      try (Connection c = schema.dataSource().getConnection()) {
        assertThat(c.getAutoCommit()).isTrue();
        for (List<NewJob> jobs : List.of(List.of(job("alice").build()), List.<NewJob>of())) {
          assertThatThrownBy(() -> store.insert(InsertRequest.of(jobs).inTransaction(c)))
              .isInstanceOf(InvalidRequestException.class)
              .hasMessageContaining("auto-commit")
              .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("transaction"));
        }
        assertThat(c.getAutoCommit()).as("left as it was").isTrue();
      }
      Connection closed = begin();
      closed.close();
      assertThatThrownBy(() -> store.insert(InsertRequest.of(job("alice").build()).inTransaction(closed)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("closed")
          .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("transaction"));
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isZero();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs_events"))).isZero();
    }
  }

  @Test
  void aQuotaRefusalLeavesTheTransactionUsable() throws Exception {
    QuotaPolicy onePerHour = QuotaPolicy.perOwner(1, 10, Duration.ZERO);
    refusedThenCommitted((store, c) -> () -> store.insert(InsertRequest.of(job("alice").build()).withQuotas(onePerHour).inTransaction(c)),
        QuotaExceededException.class, onePerHour);
  }

  @Test
  void anIdempotencyConflictLeavesTheTransactionUsable() throws Exception {
    refusedThenCommitted((store, c) -> () -> store.insert(InsertRequest.of(job("alice").idempotencyKey("first")
            .payload("{\"prompt\":\"another\"}").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)),
        IdempotencyConflictException.class, TEN_AN_HOUR);
  }

  @Test
  void aPayloadTheDatabaseRefusesLeavesTheTransactionUsable() throws Exception {
    refusedThenCommitted((store, c) -> () -> store.insert(InsertRequest.of(job("alice").payload("[1, 2]").build())
            .withQuotas(TEN_AN_HOUR).inTransaction(c)),
        InvalidPayloadException.class, TEN_AN_HOUR);
    refusedThenCommitted((store, c) -> () -> store.insert(InsertRequest.of(job("alice").payload("{\"unclosed\": ").build())
            .withQuotas(TEN_AN_HOUR).inTransaction(c)),
        InvalidPayloadException.class, TEN_AN_HOUR);
  }

  @Test
  void anyOtherSqlErrorLeavesTheTransactionUsable() throws Exception {
    // A job id that exists already: the insert statement fails on the primary key, after the owner
    // lock and the ledger read went through.
    refusedThenCommitted((store, c) -> () -> {
      UUID taken = UUID.fromString(value(c, "SELECT id FROM " + schema.table("jobs")));
      store.insert(InsertRequest.of(job("alice").id(taken).build()).withQuotas(TEN_AN_HOUR).inTransaction(c));
    }, InvalidRequestException.class, TEN_AN_HOUR);
  }

  /** What a refusal to test is: a call on the store, in the caller's transaction on {@code c}. */
  private interface Refusal {
    ThrowingCallable on(PostgresJobStore store, Connection c) throws Exception;
  }

  /**
   * In one transaction: a host's row, a job (key "first"), the refused call, another host row,
   * then the commit; both rows and the one job are there, with one event and one quota use, and
   * the refusal changed no setting.
   */
  private void refusedThenCommitted(Refusal refusal, Class<? extends Throwable> refused, QuotaPolicy quotas) throws Exception {
    try (PostgresJobStore store = store(); Connection c = begin()) {
      execute(c, "INSERT INTO " + schema.table("orders") + " VALUES (1)");
      Job first = store.insert(InsertRequest.of(job("alice").idempotencyKey("first").build()).withQuotas(quotas).inTransaction(c)).get(0);
      List<@Nullable String> settingsBefore = settings(c);

      assertThatThrownBy(refusal.on(store, c)).isInstanceOf(refused);

      assertThat(settings(c)).as("the savepoint's rollback undid the settings too").isEqualTo(settingsBefore);
      execute(c, "INSERT INTO " + schema.table("orders") + " VALUES (2)");
      c.commit();
      assertThat(c.isClosed()).isFalse();
      assertThat(schema.column("SELECT id FROM " + schema.table("orders") + " ORDER BY id")).containsExactly("1", "2");
      assertThat(schema.column("SELECT id FROM " + schema.table("jobs"))).containsExactly(first.id().toString());
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs_events"))).isEqualTo(1);
      assertThat(store.quotaWindow("alice").lastHour()).isEqualTo(1);
    }
  }

  @Test
  void noSettingIsLeftBehindAndTheHostsLaterUpdateOfTheJobIsStillLogged() throws Exception {
    try (PostgresJobStore store = store(); Connection c = begin()) {
      List<@Nullable String> untouched = settings(c);
      Job job = store.insert(InsertRequest.of(job("alice").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
      assertThat(settings(c)).isEqualTo(untouched.stream().map(v -> v == null ? "" : v).toList());

      // The host changes the job in the same transaction (as plain SQL would): the log triggers must see it.
      execute(c, "UPDATE " + schema.table("jobs") + " SET status = 'CANCELLED', finished_at = updated_at WHERE id = '" + job.id() + "'");
      // Values the host set itself come back as they were, too.
      execute(c, "SELECT set_config('asyncjobs.log', 'host-value', true), set_config('asyncjobs.owner_id', 'host-owner', true)");
      store.insert(InsertRequest.of(job("bob").build()).withQuotas(TEN_AN_HOUR).inTransaction(c));
      assertThat(settings(c)).containsExactly("host-value", "host-owner");
      c.commit();

      List<JobEvent> events = Waits.untilValue("the three events to settle", WAIT,
          () -> store.readEvents(EventQuery.allOwners(0, 100)), e -> e.size() == 3);
      assertThat(events).filteredOn(e -> e.jobId().equals(job.id())).extracting(JobEvent::kind)
          .containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.CANCELLED);
    }
  }

  @Test
  void anOpenTransactionBlocksNeitherOtherOwnersNorClaimsNorCompletionsButTheSameOwnersQuotaCreatesWait() throws Exception {
    try (PostgresJobStore store = store()) {
      Job committed = store.insert(InsertRequest.of(job("bob").build())).get(0);
      java.util.concurrent.atomic.AtomicReference<Job> open = new java.util.concurrent.atomic.AtomicReference<>();
      CountDownLatch inserted = new CountDownLatch(1);
      CountDownLatch end = new CountDownLatch(1);
      CompletableFuture<Job> held = CompletableFuture.supplyAsync(() -> {
        try (Connection c = begin()) {
          Job j = store.insert(InsertRequest.of(job("alice").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
          open.set(j);
          inserted.countDown();
          assertThat(end.await(60, TimeUnit.SECONDS)).isTrue();
          c.commit();
          return j;
        } catch (SQLException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      try {
        assertThat(inserted.await(20, TimeUnit.SECONDS)).isTrue();
        // Each of these must finish while the transaction stays open.
        within(() -> store.insert(InsertRequest.of(job("bob").build()).withQuotas(TEN_AN_HOUR)));
        within(() -> store.insert(InsertRequest.of(job("carol").build())));
        within(() -> store.insert(InsertRequest.of(job("alice").build())));  // no quota: no owner lock
        try (Connection other = begin()) {
          within(() -> store.insert(InsertRequest.of(job("bob").build()).withQuotas(TEN_AN_HOUR).inTransaction(other)));
          other.commit();
        }
        List<Job> claimed = within(() -> store.claim(new ClaimRequest("w1", Set.of(NewJobBuilder.DEFAULT_TYPE), 10, Duration.ofMinutes(1))));
        assertThat(claimed).extracting(Job::id).doesNotContain(open.get().id()).hasSize(5);
        Job completed = within(() -> store.complete(new Completion(Lease.of(claimed.stream()
            .filter(j -> j.id().equals(committed.id())).findFirst().orElseThrow()), "{}", Duration.ofMillis(3))));
        assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);

        CompletableFuture<Job> sameOwner = CompletableFuture.supplyAsync(
            () -> store.insert(InsertRequest.of(job("alice").build()).withQuotas(TEN_AN_HOUR)).get(0));
        Waits.until("the same owner's create to wait for the owner lock", WAIT, () -> waitingForALock() == 1);
        assertThat(sameOwner).isNotDone();
        end.countDown();
        Job alicesFirst = held.get(20, TimeUnit.SECONDS);
        assertThat(sameOwner.get(20, TimeUnit.SECONDS).id()).isNotEqualTo(alicesFirst.id());
        // The held one, the one without a quota (counted all the same), and the one that waited.
        assertThat(store.quotaWindow("alice").lastHour()).isEqualTo(3);
      } finally {
        end.countDown();
      }
    }
  }

  @Test
  void aReplayInTheSameTransactionReturnsTheSameJob() throws Exception {
    try (PostgresJobStore store = store(); Connection c = begin()) {
      Job first = store.insert(InsertRequest.of(job("alice").idempotencyKey("order-1").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
      Job replay = store.insert(InsertRequest.of(job("alice").idempotencyKey("order-1").build()).withQuotas(TEN_AN_HOUR).inTransaction(c)).get(0);
      assertThat(replay.id()).isEqualTo(first.id());
      c.commit();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(1);
      assertThat(store.quotaWindow("alice").lastHour()).as("a replay uses no quota").isEqualTo(1);
    }
  }

  @Test
  void aConcurrentReplayInAnotherTransactionWaitsAndThenReturnsTheCommittedJob() throws Exception {
    for (QuotaPolicy quotas : List.of(QuotaPolicy.unlimited(), TEN_AN_HOUR)) {
      try (PostgresJobStore store = store(); Connection first = begin(); Connection second = begin()) {
        Job created = store.insert(InsertRequest.of(job("alice").idempotencyKey("order-1").build()).withQuotas(quotas).inTransaction(first)).get(0);
        CompletableFuture<Job> replay = CompletableFuture.supplyAsync(() -> store.insert(InsertRequest.of(
            job("alice").idempotencyKey("order-1").build()).withQuotas(quotas).inTransaction(second)).get(0));
        Waits.until("the replay to wait for the first transaction", WAIT, () -> waitingForALock() == 1,
            () -> replay + " " + schema.rows("SELECT pid, state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND state <> 'idle'"));
        assertThat(replay).isNotDone();
        first.commit();
        assertThat(replay.get(20, TimeUnit.SECONDS).id()).as("with " + quotas).isEqualTo(created.id());
        second.commit();
        assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(1);
      }
    }
  }

  /**
   * How many backends wait for a lock on this schema's jobs (a row or an index entry of another
   * transaction) or for one of this store's owner locks.
   */
  private static long waitingForALock() {
    return schema.number("SELECT count(*) FROM pg_stat_activity AS a WHERE a.wait_event_type = 'Lock'"
        + " AND (a.query LIKE '%" + schema.table("jobs") + "%' OR EXISTS (SELECT 1 FROM pg_locks AS l"
        + " WHERE l.pid = a.pid AND NOT l.granted AND l.locktype = 'advisory'"
        + " AND l.classid = hashtext('" + schema.table("jobs") + "')::oid))");
  }

  private static <T> T within(java.util.concurrent.Callable<T> call) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(10, TimeUnit.SECONDS);
  }

  static Connection begin() throws SQLException {
    Connection c = schema.dataSource().getConnection();
    c.setAutoCommit(false);
    return c;
  }

  /** {@code asyncjobs.log} and {@code asyncjobs.owner_id} as the transaction on {@code c} sees them. */
  static List<@Nullable String> settings(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('asyncjobs.log', true), current_setting('asyncjobs.owner_id', true)")) {
      rs.next();
      return java.util.Arrays.asList(rs.getString(1), rs.getString(2));
    }
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static @Nullable String value(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  static long number(Connection c, String sql) throws SQLException {
    return Long.parseLong(java.util.Objects.requireNonNull(value(c, sql)));
  }
}
