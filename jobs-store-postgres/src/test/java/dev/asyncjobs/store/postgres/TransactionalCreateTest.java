package dev.asyncjobs.store.postgres;

import static dev.asyncjobs.store.postgres.CallerTransactionInsertTest.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.KeywordContentModerator;
import dev.asyncjobs.UnknownJobTypeException;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.EchoGenerator.Echo;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.testing.Deadline;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link JobManager#create(JobRequest, Connection)} and {@link
 * JobManager.Builder#enclosingTransaction} on PostgreSQL, with real workers: a committed create
 * runs once, promptly after the commit, on a worker of this process or of another store instance
 * (their polls are 30 s, so only the hint sent at the commit can wake them in time); a rolled-back
 * one never runs; the manager's own checks refuse before anything is written.
 */
class TransactionalCreateTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  /** Longer than every wait of these tests: a job that starts in time was woken, not polled for. */
  private static final Duration SLOW_POLL = Duration.ofSeconds(30);
  /** Well within {@link #SLOW_POLL}. */
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private final MutableClock clock = new MutableClock();

  /** A store whose event log is looked at only on a hint (or every 30 s). */
  private PostgresJobStore slowStore(DataSource dataSource) {
    return PostgresJobStore.builder().dataSource(dataSource).schema(schema.name()).clock(clock)
        .eventPollInterval(SLOW_POLL).listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build();
  }

  private JobManager manager(PostgresJobStore store) {
    return JobManager.builder().store(store).clock(clock).generator(new EchoGenerator()).build();
  }

  /** Counts the attempts each job started, by id. */
  private static final class Starts implements WorkerListener {
    final Map<UUID, AtomicInteger> byJob = new ConcurrentHashMap<>();

    @Override
    public void onStarted(Job job) {
      byJob.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
    }

    int of(UUID id) {
      AtomicInteger n = byJob.get(id);
      return n == null ? 0 : n.get();
    }
  }

  private static JobWorker worker(JobManager manager, Starts starts) {
    return JobWorker.builder(manager).pollInterval(SLOW_POLL).listener(starts).build().start();
  }

  private static JobRequest echo(String owner, String text) {
    return JobRequest.of(owner, EchoGenerator.TYPE, new Echo(text, 2));
  }

  private static Connection begin(DataSource dataSource) throws SQLException {
    Connection c = dataSource.getConnection();
    c.setAutoCommit(false);
    return c;
  }

  private static void awaitCompleted(JobManager manager, Job job, Duration timeout) {
    Waits.until("job " + job.id() + " to complete", timeout,
        () -> manager.get(job.ownerId(), job.id()).status() == JobStatus.COMPLETED,
        () -> manager.get(job.ownerId(), job.id()));
  }

  @Test
  void aCommittedCreateRunsExactlyOncePromptlyOnAWorkerOfAnotherStoreInstance() throws Exception {
    Starts starts = new Starts();
    try (PostgresJobStore web = schema.emptyStore(clock); JobManager jobs = manager(web);
        PostgresJobStore other = slowStore(schema.dataSource()); JobManager workerSide = manager(other);
        JobWorker worker = worker(workerSide, starts)) {
      Job job;
      try (Connection c = begin(schema.dataSource())) {
        job = jobs.create(echo("alice", "hi"), c);
        c.commit();
      }
      Deadline deadline = Deadline.after(PROMPTLY);
      awaitCompleted(jobs, job, PROMPTLY);
      assertThat(deadline.hasPassed()).isFalse();
      assertThat(starts.of(job.id())).isEqualTo(1);
      assertThat(jobs.get("alice", job.id()).attempts()).isEqualTo(1);
    }
  }

  @Test
  void aCommittedCreateRunsPromptlyOnAWorkerOfTheSameStoreEvenOnABackendThatSentTheStoresOwnHints() throws Exception {
    // One pooled connection: the store's hint sender and the caller's transaction share the backend,
    // so the hint sent at the commit comes from a backend whose hints this store ignores as its own.
    Starts starts = new Starts();
    try (PostgresSchema single = new PostgresSchema(null, "t", 1, Duration.ofSeconds(30)).open();
        Connection listening = TestPostgres.connect()) {
      try (PostgresJobStore store = PostgresJobStore.builder().dataSource(single.dataSource()).schema(single.name()).clock(clock)
              .eventPollInterval(SLOW_POLL).build();
          JobManager jobs = manager(store); JobWorker worker = worker(jobs, starts)) {
        try (Statement st = listening.createStatement()) {
          st.execute("LISTEN \"" + single.name() + ".jobs\"");
        }
        Job first = jobs.create(echo("alice", "first"));
        int senderBackend = awaitEmptyHint(listening);
        awaitCompleted(jobs, first, PROMPTLY);

        Job job;
        try (Connection c = begin(single.dataSource())) {
          assertThat(number(c, "SELECT pg_backend_pid()")).as("the backend the sender used").isEqualTo(senderBackend);
          job = jobs.create(echo("alice", "in a transaction"), c);
          c.commit();
        }
        awaitCompleted(jobs, job, PROMPTLY);
        assertThat(starts.of(job.id())).isEqualTo(1);
      }
    }
  }

  /** Waits for the store's own hint (empty payload) on {@code listening}; returns its backend's pid. */
  private static int awaitEmptyHint(Connection listening) throws SQLException {
    PGConnection pg = listening.unwrap(PGConnection.class);
    Deadline deadline = Deadline.after(PROMPTLY);
    while (!deadline.hasPassed()) {
      PGNotification[] got = pg.getNotifications(100);
      for (PGNotification n : got == null ? new PGNotification[0] : got) {
        if (n.getParameter().isEmpty()) {
          return n.getPID();
        }
      }
    }
    throw new AssertionError("no hint of the store within " + PROMPTLY);
  }

  @Test
  void aRolledBackCreateNeverRuns() throws Exception {
    Starts starts = new Starts();
    try (PostgresJobStore web = schema.emptyStore(clock); JobManager jobs = manager(web);
        PostgresJobStore other = slowStore(schema.dataSource()); JobManager workerSide = manager(other);
        JobWorker worker = worker(workerSide, starts)) {
      Job gone;
      try (Connection c = begin(schema.dataSource())) {
        gone = jobs.create(echo("alice", "never"), c);
        c.rollback();
      }
      // A later job runs: the worker looked after the rollback, and what it found did not include the first.
      Job later = jobs.create(echo("alice", "later"));
      awaitCompleted(jobs, later, PROMPTLY);
      assertThat(starts.byJob.keySet()).containsExactly(later.id());
      assertThat(jobs.find("alice", gone.id())).isEmpty();
    }
  }

  @Test
  void theEnclosingTransactionOfTheCallingThreadIsJoinedByAPlainCreate() throws Exception {
    ThreadLocal<Connection> threadLocalConnection = new ThreadLocal<>();
    Starts starts = new Starts();
    try (PostgresJobStore store = schema.emptyStore(clock);
        JobManager jobs = JobManager.builder().store(store).clock(clock).generator(new EchoGenerator())
            .enclosingTransaction(() -> threadLocalConnection.get()).build();
        JobWorker worker = worker(jobs, starts)) {
      Job joined;
      try (Connection c = begin(schema.dataSource())) {
        threadLocalConnection.set(c);
        try {
          joined = jobs.create(echo("alice", "joined"));
          assertThat(jobs.find("alice", joined.id())).as("not visible outside the transaction yet").isEmpty();
          assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs") + " WHERE id = '" + joined.id() + "'")).isEqualTo(1);
          c.commit();
        } finally {
          threadLocalConnection.remove();
        }
      }
      awaitCompleted(jobs, joined, PROMPTLY);

      // Outside any transaction the create commits on its own.
      Job alone = jobs.create(echo("alice", "alone"));
      assertThat(jobs.find("alice", alone.id())).isPresent();
      awaitCompleted(jobs, alone, PROMPTLY);
    }
  }

  @Test
  void theManagersChecksRefuseBeforeAnythingIsWrittenAndTheTransactionGoesOn() throws Exception {
    try (PostgresJobStore store = schema.emptyStore(clock);
        JobManager jobs = JobManager.builder().store(store).clock(clock).generator(new EchoGenerator())
            .moderator(KeywordContentModerator.builder().block("violence", "sword").build()).build();
        Connection c = begin(schema.dataSource())) {
      assertThatThrownBy(() -> jobs.create(echo("alice", "a sword fight"), c)).isInstanceOf(ContentRejectedException.class);
      assertThatThrownBy(() -> jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new Echo("x", 9)), c))
          .isInstanceOf(InvalidPayloadException.class);
      assertThatThrownBy(() -> jobs.create(JobRequest.builder("alice", "no_such_type").payload("{}").build(), c))
          .isInstanceOf(UnknownJobTypeException.class);
      assertThatThrownBy(() -> jobs.create(JobRequest.builder("", EchoGenerator.TYPE.name()).payload("{}").build(), c))
          .isInstanceOf(InvalidRequestException.class);
      // Seen from inside the transaction: nothing was written, not even a savepoint's leftovers.
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs"))).isZero();
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs_events"))).isZero();
      assertThat(number(c, "SELECT count(*) FROM " + schema.table("jobs_quota_ledger"))).isZero();

      Job job = jobs.create(echo("alice", "a picnic"), c);
      c.commit();
      assertThat(jobs.get("alice", job.id()).status()).isEqualTo(JobStatus.PENDING);
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(1);
    }
  }

  @Test
  void aConnectionInAutoCommitModeIsRefusedByTheManagerAsTheStoreRefusesIt() throws Exception {
    try (PostgresJobStore store = schema.emptyStore(clock); JobManager jobs = manager(store);
        Connection c = schema.dataSource().getConnection()) {
      assertThatThrownBy(() -> jobs.createAll(List.of(echo("alice", "a"), echo("bob", "b")), c))
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("transaction"));
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isZero();
    }
  }
}
