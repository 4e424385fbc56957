package dev.asyncjobs.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.Page;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.ScheduleRecord;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.UsageTotal;
import dev.asyncjobs.spi.WakeUpHints;
import dev.asyncjobs.spi.WorkerProgress;
import dev.asyncjobs.store.postgres.internal.AdminWrites;
import dev.asyncjobs.store.postgres.internal.Binds;
import dev.asyncjobs.store.postgres.internal.BudgetLedger;
import dev.asyncjobs.store.postgres.internal.Call;
import dev.asyncjobs.store.postgres.internal.FairClaimIndex;
import dev.asyncjobs.store.postgres.internal.CallerTransactionInsert;
import dev.asyncjobs.store.postgres.internal.Connectors;
import dev.asyncjobs.store.postgres.internal.Database;
import dev.asyncjobs.store.postgres.internal.DatabaseClock;
import dev.asyncjobs.store.postgres.internal.EventFeeds;
import dev.asyncjobs.store.postgres.internal.EventLogQueries;
import dev.asyncjobs.store.postgres.internal.HintListener;
import dev.asyncjobs.store.postgres.internal.HintSender;
import dev.asyncjobs.store.postgres.internal.JobInserter;
import dev.asyncjobs.store.postgres.internal.Limits;
import dev.asyncjobs.store.postgres.internal.ListenerConnector;
import dev.asyncjobs.store.postgres.internal.Migrations;
import dev.asyncjobs.store.postgres.internal.OutputWrites;
import dev.asyncjobs.store.postgres.internal.OwnerWrites;
import dev.asyncjobs.store.postgres.internal.QuotaLedger;
import dev.asyncjobs.store.postgres.internal.ScheduleTable;
import dev.asyncjobs.store.postgres.internal.Reads;
import dev.asyncjobs.store.postgres.internal.Retention;
import dev.asyncjobs.store.postgres.internal.RoleGrants;
import dev.asyncjobs.store.postgres.internal.SchemaNames;
import dev.asyncjobs.store.postgres.internal.SqlErrors;
import dev.asyncjobs.store.postgres.internal.WorkerWrites;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The production {@link JobStore}: jobs in a PostgreSQL table that any number of application and
 * worker processes share. Claims take due jobs with {@code FOR UPDATE SKIP LOCKED} in one
 * statement; every change appends an event to a log table in the same transaction, which
 * subscribers read (a payload-free {@code NOTIFY} after the commit tells them when); quotas and
 * budgets are checked under a per-owner advisory lock in the insert's transaction; the schema migrates itself under an
 * advisory lock, or is applied by the host's own migration tool from the shipped SQL files.
 *
 * <pre>{@code
 * JobStore store = PostgresJobStore.builder()
 *     .jdbcUrl("jdbc:postgresql://db:5432/app").user("app").password(secret)
 *     .schema("asyncjobs")
 *     .build();
 * }</pre>
 *
 * <p>Claims and progress reports commit without waiting for their WAL flush ({@code
 * synchronous_commit} off for that transaction only): a claim lost in a database crash leaves its job
 * PENDING (the fenced writes of the worker that ran it are refused), and a lost progress report is
 * replaced by the next. Every other write waits for the flush. Either way an event reaches a
 * subscriber only once it is on disk, so no subscriber sees an event that a crash takes back.
 *
 * <p>Thread-safe. Close it to stop the listener and, when it made its own pool, the pool.
 */
public final class PostgresJobStore implements JobStore {
  private static final Set<StoreCapability> CAPABILITIES =
      Set.copyOf(EnumSet.of(StoreCapability.QUOTAS, StoreCapability.STATISTICS, StoreCapability.TRANSACTIONS,
          StoreCapability.LIMITS, StoreCapability.FAIR_CLAIMS, StoreCapability.USAGE, StoreCapability.BUDGETS, StoreCapability.ADMIN,
          StoreCapability.RESULT_CACHE, StoreCapability.SCHEDULES));
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresJobStore.class);
  /** How often the database clock is read again; between readings the monotonic clock advances it. */
  private static final Duration DATABASE_CLOCK_REFRESH = Duration.ofSeconds(30);

  private final Clock clock;
  private final @Nullable DatabaseClock databaseClock;
  private final SchemaNames names;
  private final @Nullable HikariDataSource ownPool;
  private final Database db;
  private final JobInserter inserter;
  private final CallerTransactionInsert callerInserter;
  private final QuotaLedger ledger;
  private final BudgetLedger budgets;
  private final WorkerWrites workerWrites;
  private final OutputWrites outputWrites;
  private final OwnerWrites ownerWrites;
  private final Reads reads;
  private final Retention retention;
  private final ScheduleTable scheduleTable;
  private final Limits limits;
  private final AdminWrites admin;
  private final EventLogQueries eventLog;
  private final HintListener listener;
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> wakeUpHints = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final EventFeeds feeds;
  private final HintSender hints;
  /** Whether the first fair claim should look for the owner index (not when this store built or checked it). */
  private final java.util.concurrent.atomic.AtomicBoolean fairIndexUnchecked;

  private PostgresJobStore(Builder b, DataSource dataSource, @Nullable HikariDataSource ownPool, ListenerConnector connector) {
    this.names = new SchemaNames(b.schema, b.tablePrefix);
    this.ownPool = ownPool;
    boolean fairIndexReady = false;
    if (b.autoMigrate) {
      Migrations.migrate(dataSource, names);
      fairIndexReady = b.fairClaimIndex && FairClaimIndex.ensure(dataSource, names);
    } else {
      Migrations.verify(dataSource, names);
      if (b.fairClaimIndex) {
        FairClaimIndex.verify(dataSource, names);
        fairIndexReady = true;
      }
    }
    this.fairIndexUnchecked = new java.util.concurrent.atomic.AtomicBoolean(!fairIndexReady);
    this.db = new Database(dataSource);
    Clock given = b.clock;
    if (given == null) {
      DatabaseClock serverClock = new DatabaseClock(db, DATABASE_CLOCK_REFRESH);
      this.databaseClock = serverClock;
      this.clock = serverClock;
    } else {
      this.databaseClock = null;
      this.clock = given;
    }
    db.scopeOwners(
        db.run(Call.idempotent("checking row-level security"),
            h -> h.createQuery("SELECT row_security_active(CAST(:t AS regclass))").bind("t", names.jobs())
                .mapTo(Boolean.class).one()));
    // The tables' owner appends the events of its writes in the same statements; a role under
    // row-level security may not write the log, and its changes are logged by the triggers.
    boolean logInStatement = !db.scopesOwners();
    this.ledger = new QuotaLedger(names);
    this.budgets = new BudgetLedger(names);
    this.inserter = new JobInserter(names, ledger, budgets, logInStatement);
    this.callerInserter = new CallerTransactionInsert(db, names, ledger, budgets);
    this.workerWrites = new WorkerWrites(names);
    this.outputWrites = new OutputWrites(names);
    this.ownerWrites = new OwnerWrites(names, logInStatement);
    this.reads = new Reads(names);
    this.limits = new Limits(names);
    this.admin = new AdminWrites(names);
    this.retention = new Retention(names, ledger, limits, budgets);
    this.scheduleTable = new ScheduleTable(names);
    this.eventLog = new EventLogQueries(names);
    String name = names.jobs();
    // The listener and the sender only wake the feeds; what they carry is never read.
    this.feeds = new EventFeeds(db, eventLog, b.eventPollInterval, this::startListening, name);
    this.hints = new HintSender(db, names.channel(), b.hintInterval);
    this.listener = new HintListener(connector, names.channel(), b.reconnectInitial, b.reconnectMax, b.listenerConnectWait,
        this::hinted, hints::sentBy);
  }

  /**
   * Another process hinted: the feeds look at the log, and, when its writes may have made work due,
   * every worker looks for due jobs meanwhile.
   */
  private void hinted(boolean work) {
    feeds.wake();
    if (!work) {
      return;
    }
    for (Runnable wake : wakeUpHints) {
      try {
        wake.run();
      } catch (RuntimeException e) {
        LOG.warn("a wake-up hint callback failed; continuing", e);
      }
    }
  }

  private void startListening() {
    listener.start();
  }

  /**
   * A write of this store committed, appending events of {@code kinds}: this process's reader looks
   * at the log if one of its subscriptions wants them, and the other processes get a hint.
   */
  private <T> T changed(T result, JobEvent.Kind... kinds) {
    if (!(result instanceof List<?> list) || !list.isEmpty()) {
      appended(Set.of(kinds));
    }
    return result;
  }

  /**
   * Kinds of events whose writes may have made work due for other processes' workers: a job created
   * or back to PENDING, or one that left PROCESSING (its limit slot is free). Claims, progress and
   * output only append events.
   */
  private static final Set<JobEvent.Kind> WORK_KINDS = java.util.EnumSet.of(JobEvent.Kind.CREATED, JobEvent.Kind.COMPLETED,
      JobEvent.Kind.FAILED, JobEvent.Kind.RETRY_SCHEDULED, JobEvent.Kind.CANCELLED);

  /**
   * A write of this store that appended events of {@code kinds} committed: this process's reader
   * looks if it wants them, and the other processes get a hint saying whether work may be due.
   */
  private void appended(Set<JobEvent.Kind> kinds) {
    feeds.changed(kinds);
    hints.changed(!java.util.Collections.disjoint(kinds, WORK_KINDS));
  }

  /** {@link #changed} for writes that moved jobs to the status they now have: their event is named by it. */
  private Job changedTo(Job job) {
    appended(Set.of(kindOf(job)));
    return job;
  }

  private List<Job> allChangedTo(List<Job> jobs) {
    if (!jobs.isEmpty()) {
      java.util.EnumSet<JobEvent.Kind> kinds = java.util.EnumSet.noneOf(JobEvent.Kind.class);
      jobs.forEach(j -> kinds.add(kindOf(j)));
      appended(kinds);
    }
    return jobs;
  }

  /** The kind of the event of a change that moved a job to its status (the log triggers' rule). */
  private static JobEvent.Kind kindOf(Job job) {
    return switch (job.status()) {
      case PROCESSING -> JobEvent.Kind.STARTED;
      case PENDING -> JobEvent.Kind.RETRY_SCHEDULED;
      case COMPLETED -> JobEvent.Kind.COMPLETED;
      case FAILED -> JobEvent.Kind.FAILED;
      case CANCELLED -> JobEvent.Kind.CANCELLED;
    };
  }

  /**
   * A builder; give it {@link Builder#dataSource} or {@link Builder#jdbcUrl}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private Instant now() {
    return Binds.micros(clock.instant());
  }

  /**
   * {@return quotas, statistics, transactions, limits, fair claims, usage and budgets: this store
   * implements the whole contract}
   *
   * @see #insert(InsertRequest)
   */
  @Override
  public Set<StoreCapability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  /** {@return the schema that holds this store's tables} */
  public String schema() {
    return names.schema();
  }

  /** {@return the prefix of this store's table names ({@code ""} when none)} */
  public String tablePrefix() {
    return names.prefix();
  }

  /**
   * The SQL that grants {@code role} what a web tier needs on the tables of {@code schema} and
   * {@code tablePrefix}, and nothing a worker owns: it reads its owners' jobs, quota and budget use
   * and events, inserts jobs (only the columns of a request, a budget reservation among them; the
   * database counts them in the quota and budget ledgers, which it may not write),
   * cancels them and reports progress. Run it as the tables' owner after the migrations; docs/postgresql.md
   * shows it for schema {@code asyncjobs} and role {@code web}.
   *
   * @param schema the schema of the tables
   * @param tablePrefix the prefix of the table names, {@code ""} for none
   * @param role the web tier's database role
   * @return the SQL statements, to run as the tables' owner
   * @throws JobConfigurationException a name that is not a lowercase SQL identifier
   */
  public static String webRoleGrants(String schema, String tablePrefix, String role) {
    Builder names = builder().schema(schema).tablePrefix(tablePrefix);
    return RoleGrants.webRole(new SchemaNames(names.schema, names.tablePrefix), role);
  }

  /**
   * The statement that builds the index fair claims read ({@link Builder#fairClaimIndex}) on the
   * tables of {@code schema} and {@code tablePrefix}, for hosts that apply the migrations with their
   * own tool: run it as the tables' owner, outside a transaction ({@code CREATE INDEX
   * CONCURRENTLY}; Flyway: a migration of its own with {@code executeInTransaction=false}).
   *
   * @param schema the schema of the tables
   * @param tablePrefix the prefix of the table names, {@code ""} for none
   * @return the SQL statement
   * @throws JobConfigurationException a name that is not a lowercase SQL identifier
   */
  public static String fairClaimIndexSql(String schema, String tablePrefix) {
    Builder names = builder().schema(schema).tablePrefix(tablePrefix);
    return FairClaimIndex.createSql(new SchemaNames(names.schema, names.tablePrefix));
  }

  /**
   * Whether this store's database role is subject to row-level security on the jobs table, so
   * that owner-scoped calls set {@code asyncjobs.owner_id} in their transaction. False for the
   * tables' owner (the usual worker role).
   *
   * @return whether row-level security applies to this store's role
   */
  public boolean rowLevelSecurityActive() {
    return db.scopesOwners();
  }

  /**
   * Whether the store's listening connection, on which it hears other processes' wake-up hints, is
   * up now: for health checks. False until something needs it (the first subscription or wake-up
   * callback opens it, a started worker's for one), while it reconnects after the connection was
   * lost, and after {@link #close()}. While it is down nothing is lost: subscribers and workers
   * still find new events and due jobs by polling, only later.
   *
   * @return whether the listening connection is connected
   */
  public boolean listenerConnected() {
    return listener.isConnected();
  }

  /**
   * {@inheritDoc}
   *
   * <p><b>In the caller's transaction</b> ({@link InsertRequest#transaction()} set, {@link
   * StoreCapability#TRANSACTIONS}): the statements run on that connection, in the transaction open
   * there, so that the jobs, their CREATED events and their quota use appear when it commits and
   * vanish when it rolls back. The store
   *
   * <ul>
   *   <li>never commits, rolls back or closes the connection, nor changes its auto-commit; a
   *       connection in auto-commit mode (or closed, or whose transaction an earlier statement
   *       aborted) is refused with an {@link InvalidRequestException} of field {@code transaction}
   *       before anything is written;
   *   <li>runs its statements under a savepoint, so that a refused insert (quota or budget exceeded,
   *       idempotency conflict, bad payload, any SQL error) is undone and the transaction stays
   *       usable for the caller's next statement and commit;
   *   <li>leaves no setting behind: {@code asyncjobs.log} and {@code asyncjobs.owner_id}, which its
   *       statements set for their transaction, are put back as they were, so that the log
   *       triggers still log the caller's own later changes of job rows in that transaction;
   *   <li>sends the wake-up hint as a {@code pg_notify} in the transaction, which PostgreSQL
   *       delivers at the commit (and drops on rollback): workers in this and other processes
   *       claim the job at once after the commit. Like every notifying transaction, the commit
   *       then takes PostgreSQL's notification lock for a moment;
   *   <li>retries nothing (a serialization failure, deadlock or lost connection leaves as a
   *       {@link JobStoreException} saying to retry the whole transaction), except that a create
   *       that lost the race for an idempotency key to another transaction looks again, and returns
   *       the winner's job;
   *   <li>asks the connection whether its role is under row-level security (a web tier's role,
   *       {@link #webRoleGrants}): the owner is then set in that transaction, and the database's
   *       triggers write the events and the quota records, as for a store on that role.
   * </ul>
   *
   * <p>An open transaction holds nothing that other owners' creates, claims or completions wait
   * for. Creates of the same owner under a quota do wait for it to end (it holds that owner's lock,
   * which is what makes the quota count exact), as do creates with the same idempotency key. So
   * keep such transactions short, and do not create for the same owner outside the transaction on
   * the same thread while it is open: that waits for a lock the thread itself holds. Subscribers
   * receive the events of other jobs that were appended after this insert only once the
   * transaction ends, because the log is delivered in order and the insert's event is not yet
   * settled.
   */
  @Override
  public List<Job> insert(InsertRequest request) {
    Connection transaction = request.transaction();
    if (transaction != null) {
      CallerTransactionInsert.requireOpenTransaction(transaction);
    }
    if (request.jobs().isEmpty()) {
      return List.of();
    }
    Instant now = now();
    JobInserter.Plan plan = inserter.plan(request.jobs(), request.quotas(), request.budgets());
    if (transaction != null) {
      // No local look and no hint now: nothing is visible before the commit, and the hint the
      // insert sent in the transaction wakes this process's readers and workers then, as it does
      // other processes'.
      return callerInserter.insert(transaction, plan, now);
    }
    List<Job> stored = db.run(plan.call(), h -> inserter.insert(h, plan, now));
    boolean copies = request.jobs().stream().anyMatch(j -> j.cached() != null);
    return copies ? changed(stored, JobEvent.Kind.CREATED, JobEvent.Kind.COMPLETED) : changed(stored, JobEvent.Kind.CREATED);
  }

  /**
   * {@inheritDoc} One read of the partial index of V13 ({@code jobs_cache_idx}: completed jobs that
   * ran, by key and completion, newest first). Under row-level security (a web tier's role) only
   * the named owner's jobs are visible, and with {@code ownerId == null} none: results shared
   * across owners are found by a store on the tables' owner only.
   */
  @Override
  public Optional<Job> findCached(String cacheKey, @Nullable String ownerId, Instant completedSince) {
    return db.run(Call.idempotent("findCached").forOwner(ownerId), h -> reads.findCached(h, cacheKey, ownerId, completedSince));
  }

  /**
   * {@inheritDoc} One read of the partial index of V15 ({@code jobs_cache_running_idx}: unfinished
   * originals by key, oldest first); visibility under row-level security as for {@link #findCached}.
   */
  @Override
  public Optional<Job> findRunning(String cacheKey, @Nullable String ownerId, Instant dueBy) {
    return db.run(Call.idempotent("findRunning").forOwner(ownerId), h -> reads.findRunning(h, cacheKey, ownerId, dueBy));
  }

  @Override
  public Optional<Job> find(UUID id) {
    return db.run(Call.idempotent("find"), h -> reads.find(h, id));
  }

  @Override
  public List<Job> findAll(java.util.Collection<UUID> ids) {
    return ids.isEmpty() ? List.of() : db.run(Call.idempotent("find all"), h -> reads.findAll(h, ids));
  }

  /** {@inheritDoc} Names the owner in the read, so that it works under row-level security too. */
  @Override
  public Optional<Job> find(String ownerId, UUID id) {
    return db.run(Call.idempotent("find").forOwner(ownerId), h -> reads.find(h, id)).filter(j -> j.ownerId().equals(ownerId));
  }

  @Override
  public Optional<Job> findByIdempotencyKey(String ownerId, String idempotencyKey) {
    return db.run(Call.idempotent("find by idempotency key").forOwner(ownerId),
        h -> reads.findByIdempotencyKey(h, ownerId, idempotencyKey));
  }

  @Override
  public Page<Job> query(JobQuery query) {
    return db.run(Call.idempotent("query").forOwner(query.ownerId()), h -> reads.query(h, query));
  }

  @Override
  public List<Job> claim(ClaimRequest request) {
    if (request.fairBetweenOwners() && fairIndexUnchecked.compareAndSet(true, false)) {
      warnWithoutFairClaimIndex();
    }
    Instant now = now();
    return changed(db.run(Call.once("claim"), h -> workerWrites.claim(h, request, now)), JobEvent.Kind.STARTED);
  }

  /** Says once, at the first fair claim of a store not built with fairClaimIndex, if the index is missing. */
  private void warnWithoutFairClaimIndex() {
    boolean valid;
    try {
      valid = db.run(Call.idempotent("reading the indexes"), h -> FairClaimIndex.isValid(h, names));
    } catch (RuntimeException e) {
      LOG.debug("could not look for the owner index of fair claims", e);
      return; // only a warning: the claim goes on
    }
    if (!valid) {
      LOG.warn("fair claims on {} without the owner index: each one ranks every due job of its types, which grows with"
          + " the backlog; build the store with fairClaimIndex(true) (Spring Boot: set by"
          + " asyncjobs.worker.fair-between-owners) or create it: {}", names.jobs(), FairClaimIndex.createSql(names));
    }
  }

  @Override
  public HeartbeatResult heartbeat(Collection<Lease> leases, Duration leaseDuration) {
    if (leases.isEmpty()) {
      return new HeartbeatResult(Set.of(), Set.of());
    }
    Instant now = now();
    return db.run(Call.idempotent("heartbeat"), h -> workerWrites.heartbeat(h, leases, leaseDuration, now));
  }

  @Override
  public Job reportProgress(WorkerProgress report) {
    Instant now = now();
    return changed(db.run(Call.idempotent("reportProgress"), h -> workerWrites.reportProgress(h, report, now)),
        JobEvent.Kind.PROGRESS);
  }

  @Override
  public Job updateProgress(OwnerProgress update) {
    Instant now = now();
    return changed(db.run(Call.idempotent("updateProgress").forOwner(update.ownerId()),
        h -> ownerWrites.updateProgress(h, update, now)), JobEvent.Kind.PROGRESS);
  }

  @Override
  public Job complete(Completion completion) {
    Instant now = now();
    return changedTo(db.run(Call.once("complete").json("result"), h -> workerWrites.complete(h, completion, now)));
  }

  /** {@inheritDoc} One statement and one round trip for the whole list. */
  @Override
  public List<Job> completeAll(List<Completion> completions) {
    if (completions.isEmpty()) {
      return List.of();
    }
    Instant now = now();
    return allChangedTo(db.run(Call.once("completeAll").json("result"), h -> workerWrites.completeAll(h, completions, now)));
  }

  /**
   * {@inheritDoc} One transaction that completes, then claims: the claim sees the completions, so
   * the room they make under a limit is taken before any other claimer can see it; and it commits
   * as a completion does, waiting for its flush (the claim's own asynchronous commit is undone for
   * it). A claim that fails rolls the transaction back, and the completions are then written alone;
   * so are they when the transaction fails for any other reason the retries did not mend.
   */
  @Override
  public CompletedAndClaimed completeAllThenClaim(List<Completion> completions, ClaimRequest claim) {
    if (claim.fairBetweenOwners() && fairIndexUnchecked.compareAndSet(true, false)) {
      warnWithoutFairClaimIndex();
    }
    Instant now = now();
    CompletedAndClaimed result;
    try {
      result = db.run(Call.once("completeAllThenClaim").inTransaction().json("result"),
          h -> workerWrites.completeAllThenClaim(h, completions, claim, now));
    } catch (WorkerWrites.ClaimRefused refused) {
      return new CompletedAndClaimed(completeAll(completions), List.of(), refused.error());
    } catch (JobStoreException failed) {
      // Retried and still failing (a deadlock, a lost connection): whether it was the claim's fault
      // or not, the completions are tried alone, so that they stand if they can. Were the failed
      // transaction to have committed after all, the fence makes these writes skip its jobs.
      return new CompletedAndClaimed(completeAll(completions), List.of(), failed);
    }
    return new CompletedAndClaimed(allChangedTo(result.completed()), changed(result.claimed(), JobEvent.Kind.STARTED),
        null);
  }

  @Override
  public Job fail(Failure failure) {
    Instant now = now();
    return changedTo(db.run(Call.once("fail"), h -> workerWrites.fail(h, failure, now)));
  }

  /** {@inheritDoc} The one-attempt case of {@link #appendOutputAll}: one statement. */
  @Override
  public void appendOutput(OutputAppend append) {
    if (!appendOutputAll(List.of(append)).isEmpty()) {
      Lease lease = append.lease();
      throw new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
    }
  }

  /** {@inheritDoc} One statement for every attempt of the batch. */
  @Override
  public Set<UUID> appendOutputAll(List<OutputAppend> appends) {
    if (appends.isEmpty()) {
      return Set.of();
    }
    Instant now = now();
    Set<UUID> lost = db.run(Call.once("appendOutputAll"), h -> outputWrites.appendAll(h, appends, now));
    if (lost.size() < appends.size()) {
      changed(Boolean.TRUE, appends.stream().flatMap(a -> a.chunks().stream()).map(OutputChunk::kind).distinct()
          .toArray(JobEvent.Kind[]::new));
    }
    return lost;
  }

  @Override
  public Job release(Lease lease) {
    Instant now = now();
    return changedTo(db.run(Call.once("release"), h -> workerWrites.release(h, lease, now)));
  }

  @Override
  public Job acknowledgeCancel(Lease lease) {
    Instant now = now();
    return changedTo(db.run(Call.once("acknowledgeCancel"), h -> workerWrites.acknowledgeCancel(h, lease, now)));
  }

  @Override
  public Job cancel(String ownerId, UUID jobId) {
    Instant now = now();
    return changed(db.run(Call.once("cancel").forOwner(ownerId), h -> ownerWrites.cancel(h, jobId, ownerId, now)), JobEvent.Kind.CANCELLED,
        JobEvent.Kind.CANCEL_REQUESTED);
  }

  /**
   * {@inheritDoc} Reaches every owner's jobs only on the tables' owner role (under row-level
   * security it finds none): run operators' tools on the workers' role.
   */
  @Override
  public Job retry(UUID jobId) {
    Instant now = now();
    return changed(db.run(Call.once("retry"), h -> admin.retry(h, jobId, now)), JobEvent.Kind.RETRY_SCHEDULED);
  }

  /** {@inheritDoc} On the tables' owner role, as {@link #retry}. */
  @Override
  public Job delete(UUID jobId) {
    return db.run(Call.once("delete"), h -> admin.delete(h, jobId));
  }

  /** {@inheritDoc} One read of the partial index of finish times ({@code jobs_finished_idx}). */
  @Override
  public List<dev.asyncjobs.FinishedCount> finishedCounts(Instant from, Instant to, Duration bucket) {
    return db.run(Call.idempotent("finishedCounts"), h -> admin.finishedCounts(h, from, to, bucket));
  }

  @Override
  public List<Job> rescueExpired(int limit) {
    checkLimit(limit);
    Instant now = now();
    return allChangedTo(db.run(Call.once("rescueExpired"), h -> workerWrites.rescueExpired(h, limit, now)));
  }

  @Override
  public int deleteFinishedBefore(Instant cutoff, int limit) {
    checkLimit(limit);
    Instant now = now();
    return db.run(Call.idempotent("deleteFinishedBefore"), h -> retention.deleteFinishedBefore(h, cutoff, limit, now));
  }

  private static void checkLimit(int limit) {
    if (limit < 0) {
      throw new InvalidRequestException("limit", "limit must not be negative, was " + limit);
    }
  }

  @Override
  public QuotaWindow quotaWindow(String ownerId) {
    Instant now = now();
    return db.run(Call.idempotent("quotaWindow").forOwner(ownerId), h -> ledger.window(h, ownerId, now));
  }

  @Override
  public void resetQuota(String ownerId) {
    db.run(Call.idempotent("resetQuota").forOwner(ownerId), h -> {
      ledger.reset(h, ownerId);
      return null;
    });
  }

  @Override
  public List<JobStats> stats(@Nullable String ownerId, @Nullable Instant since) {
    return db.run(Call.idempotent("stats").forOwner(ownerId), h -> reads.stats(h, ownerId, since));
  }

  @Override
  public List<UsageTotal> usageByType(@Nullable String ownerId, Instant from, Instant to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return db.run(Call.idempotent("usageByType").forOwner(ownerId), h -> reads.usageByType(h, ownerId, from, to));
  }

  @Override
  public List<QueueStats> queueStats() {
    Instant now = now();
    return db.run(Call.idempotent("queueStats"), h -> reads.queueStats(h, now));
  }

  @Override
  public List<Duration> recentDurations(String type, int limit) {
    checkLimit(limit);
    return db.run(Call.idempotent("recentDurations"), h -> reads.recentDurations(h, type, limit));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One UPDATE of the job's row in the budget ledger (V12), which outlives the job. Only the
   * tables' owner (the workers' role) settles: on a web tier's role (under row-level security),
   * which may not write the ledger, this does nothing. The database settles there what such a role
   * can end itself: a PENDING job it cancels that consumed nothing counts nothing from then on.
   * Any other job a web tier cancels keeps its reservation counted until its worker settles it or
   * its window ends, which errs on the owner's side of caution.
   */
  @Override
  public void settleBudget(UUID jobId, BudgetAmount actual) {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(actual, "actual");
    if (db.scopesOwners()) {
      return;
    }
    db.run(Call.idempotent("settleBudget"), h -> {
      budgets.settle(h, jobId, actual);
      return null;
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>A sum over the owner's rows of the budget ledger, in the database (exact numeric sums); on a
   * web tier's role, of its owner's rows, which are all it sees.
   */
  @Override
  public BudgetAmount budgetCounted(String ownerId, Instant since) {
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(since, "since");
    return db.run(Call.idempotent("budgetCounted").forOwner(ownerId), h -> budgets.counted(h, ownerId, since));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The bounds live in the {@code jobs_limits} table, which only the tables' owner (the
   * workers' role) may write: on a web tier's role this throws {@link JobStoreException}
   * (permission denied) and changes nothing. See docs/postgresql.md, "Limits".
   */
  @Override
  public void defineLimit(JobLimit limit) {
    Objects.requireNonNull(limit, "limit");
    Instant now = now();
    db.run(Call.idempotent("defineLimit"), h -> {
      limits.define(h, limit, now);
      return null;
    });
    hints.changed(true); // the bounds may have room now: workers of other processes look at once
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return db.run(Call.idempotent("schedules"), scheduleTable::all);
  }

  @Override
  public ScheduleRecord saveSchedule(String name, String definition, Instant nextRunAt) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(definition, "definition");
    Instant next = Binds.micros(nextRunAt);
    Instant now = now();
    return db.run(Call.idempotent("saveSchedule"), h -> scheduleTable.save(h, name, definition, next, now));
  }

  @Override
  public boolean removeSchedule(String name) {
    Objects.requireNonNull(name, "name");
    return db.run(Call.idempotent("removeSchedule"), h -> scheduleTable.remove(h, name));
  }

  @Override
  public boolean advanceSchedule(String name, Instant from, Instant to, @Nullable String state) {
    Objects.requireNonNull(name, "name");
    Instant f = Binds.micros(from);
    Instant t = Binds.micros(to);
    Instant now = now();
    // Retried after a lost reply, a move that did commit answers false: callers treat false as
    // "someone moved it", which it was.
    return db.run(Call.idempotent("advanceSchedule"), h -> scheduleTable.advance(h, name, f, t, state, now));
  }

  @Override
  public boolean removeLimit(String name) {
    JobLimit.checkName(name);
    Instant now = now();
    boolean removed = db.run(Call.idempotent("removeLimit"), h -> limits.remove(h, name, now));
    if (removed) {
      hints.changed(true);
    }
    return removed;
  }

  @Override
  public void setPaused(String name, boolean paused) {
    JobLimit.checkName(name);
    Instant now = now();
    db.run(Call.idempotent(paused ? "pause" : "resume"), h -> {
      limits.setPaused(h, name, paused, now);
      return null;
    });
    if (!paused) {
      // Jobs under the name may be claimed again: workers of other processes look at once.
      hints.changed(true);
    }
  }

  @Override
  public void backOff(String name, Instant until) {
    JobLimit.checkName(name);
    Objects.requireNonNull(until, "until");
    Instant now = now();
    Instant end = Binds.micros(until);
    if (!end.isAfter(now)) {
      return; // a back-off that has ended already holds nothing back
    }
    db.run(Call.idempotent("backOff"), h -> {
      limits.backOff(h, name, end, now);
      return null;
    });
  }

  @Override
  public void settleUnits(Lease lease, long units) {
    Objects.requireNonNull(lease, "lease");
    if (units < 0) {
      throw new InvalidRequestException("units", "units must not be negative, was " + units);
    }
    db.run(Call.idempotent("settleUnits"), h -> {
      limits.settle(h, lease, units);
      return null;
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>One fenced UPDATE that adds in the database ({@code jobs_usage_add}, exact numeric sums), so
   * that concurrent records never lose one another; it waits for its WAL flush like a completion.
   * Not retried when the connection breaks mid-statement: a second run would count twice.
   *
   * @throws InvalidRequestException the job's total would name more than {@link Usage#MAX_MODELS}
   *     models; nothing was written
   */
  @Override
  public void recordUsage(Lease lease, Usage usage) {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(usage, "usage");
    db.run(Call.once("recordUsage"), h -> {
      workerWrites.recordUsage(h, lease, usage);
      return null;
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads every PROCESSING and every PENDING job once (through the partial indexes): meant for
   * an operator's page or a metrics poll, not for every request.
   */
  @Override
  public List<LimitStatus> limits() {
    Instant now = now();
    return db.run(Call.idempotent("limits").inTransaction(), h -> limits.status(h, now));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Events are read from the log table by one thread of this store, which looks at the log when
   * this store wrote, when another process's hint arrives on the listening connection (opened by
   * the first subscription), and at least every {@link Builder#eventPollInterval}. A listening
   * connection that breaks loses no event: the log keeps them, and the thread reads them when it
   * looks next.
   */
  @Override
  public Subscription subscribe(EventSubscription subscription, JobEventListener listener) {
    return feeds.subscribe(Objects.requireNonNull(subscription, "subscription"), Objects.requireNonNull(listener, "listener"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Called on the listening connection's thread for every batch of notifications on the store's
   * channel that is not this store's own, and after every (re)connect; opens that connection if no
   * subscription has.
   */
  @Override
  public WakeUpHints onWakeUpHint(Runnable wake) {
    Objects.requireNonNull(wake, "wake");
    Runnable registered = () -> wake.run(); // a distinct object, so that two registrations of one callback close apart
    wakeUpHints.add(registered);
    startListening();
    return () -> wakeUpHints.remove(registered);
  }

  @Override
  public List<JobEvent> readEvents(EventQuery query) {
    return feeds.read(query.ownerId(), query.jobId(), query.afterSequence(), query.limit());
  }

  /** {@inheritDoc} One pruner at a time across every process: a second one deletes nothing and returns 0. */
  @Override
  public int pruneEvents(Instant cutoff, int limit) {
    checkLimit(limit);
    return db.run(Call.idempotent("pruneEvents"), h -> eventLog.prune(h, Binds.micros(cutoff), limit));
  }

  /** Stops the listener and closes the pool when the store made it; a host's data source stays open. */
  @Override
  public void close() {
    hints.close();
    feeds.close();
    listener.close();
    if (databaseClock != null) {
      databaseClock.close();
    }
    if (ownPool != null) {
      ownPool.close();
    }
  }

  @Override
  public String toString() {
    return "PostgresJobStore[" + names.jobs() + "]";
  }

  /**
   * Builds a {@link PostgresJobStore}. Every setting is checked when set, and the message of a bad
   * one names it and the value.
   */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable String jdbcUrl;
    private @Nullable String user;
    private @Nullable String password;
    private int maxPoolSize = 10;
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private String schema = "public";
    private String tablePrefix = "";
    private boolean autoMigrate = true;
    private boolean fairClaimIndex;
    private @Nullable Clock clock;
    private Duration reconnectInitial = Duration.ofMillis(100);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private Duration listenerConnectWait = Duration.ofSeconds(10);
    private Duration eventPollInterval = Duration.ofMillis(250);
    private Duration hintInterval = Duration.ofMillis(10);

    private Builder() {}

    /**
     * Use the host's data source (typically its own pool); the store does not close it. The
     * listener opens its own connection with the same settings when this is a Hikari pool
     * configured by JDBC URL, and otherwise holds one connection of this data source.
     *
     * @param dataSource the host's data source
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Connect to this {@code jdbc:postgresql:} URL with a pool the store owns and closes.
     *
     * @param url the JDBC URL
     * @return this builder
     */
    public Builder jdbcUrl(String url) {
      Objects.requireNonNull(url, "jdbcUrl");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new JobConfigurationException("jdbcUrl must start with jdbc:postgresql:, was '" + redact(url) + "'");
      }
      this.jdbcUrl = url;
      return this;
    }

    /**
     * The database user of {@link #jdbcUrl}.
     *
     * @param user the user, or {@code null} for the driver's default
     * @return this builder
     */
    public Builder user(@Nullable String user) {
      this.user = user;
      return this;
    }

    /**
     * The password of {@link #jdbcUrl}.
     *
     * @param password the password, or {@code null} for none
     * @return this builder
     */
    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /**
     * Connections of the store's own pool (with {@link #jdbcUrl}); default 10.
     *
     * @param size at least 1
     * @return this builder
     */
    public Builder maxPoolSize(int size) {
      if (size < 1) {
        throw new JobConfigurationException("maxPoolSize must be at least 1, was " + size);
      }
      this.maxPoolSize = size;
      return this;
    }

    /**
     * How long a call waits for a connection of the store's own pool; default 10 s.
     *
     * @param timeout the connection timeout
     * @return this builder
     */
    public Builder connectionTimeout(Duration timeout) {
      if (timeout.compareTo(Duration.ofMillis(250)) < 0) {
        throw new JobConfigurationException("connectionTimeout must be at least 250 ms, was " + timeout);
      }
      this.connectionTimeout = timeout;
      return this;
    }

    /**
     * The schema of the tables; created by migration when missing. Default {@code public}.
     *
     * @param schema a lowercase SQL identifier
     * @return this builder
     */
    public Builder schema(String schema) {
      if (schema == null || !SchemaNames.SCHEMA.matcher(schema).matches()) {
        throw new JobConfigurationException(
            "schema must be a lowercase SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), was '" + schema + "'");
      }
      this.schema = schema;
      return this;
    }

    /**
     * A prefix for every table, index and function name, so that several stores can share one
     * schema; default none. Lowercase letters, digits and underscores, at most 30 characters.
     *
     * @param prefix the prefix, {@code ""} for none
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      if (prefix == null || !SchemaNames.PREFIX.matcher(prefix).matches()) {
        throw new JobConfigurationException(
            "tablePrefix must be empty or a lowercase SQL identifier of at most 30 characters, was '" + prefix + "'");
      }
      this.tablePrefix = prefix;
      return this;
    }

    /**
     * Whether {@link #build()} applies the shipped migrations (default true). When false, build only
     * checks that the schema is up to date, for hosts that apply the SQL files with Flyway or
     * Liquibase.
     *
     * @param autoMigrate whether to migrate
     * @return this builder
     */
    public Builder autoMigrate(boolean autoMigrate) {
      this.autoMigrate = autoMigrate;
      return this;
    }

    /**
     * Whether the store keeps the index that fair claims read ({@code jobs_pending_owner_idx}:
     * PENDING jobs by owner); default false. Turn it on for a store whose workers claim with
     * {@code JobWorker.Builder.fairBetweenOwners(true)}: with it a fair claim costs about one index
     * probe per owner with PENDING jobs; without it, fair claims give the same order but rank every
     * due job of the claimed types each time. The index costs every insert one more entry and slows
     * plain claims (docs/performance.md), so a store whose workers claim plainly is better off
     * without it.
     *
     * <p>With {@link #autoMigrate} on, {@link #build()} builds it when missing, with {@code CREATE
     * INDEX CONCURRENTLY} (writes go on meanwhile; another process starting at once leaves the
     * build to the first) and waits for it, which waits for every transaction older than the build
     * to end; a build that fails is logged and the store starts all the same, its fair claims
     * ranking every due job until the index exists. With it off, build checks that the index is
     * there (see {@link #fairClaimIndexSql}). Turning this off later does not drop it: other
     * processes may still claim fairly; drop it by hand when none does.
     *
     * @param fairClaimIndex whether to build (or check) the index
     * @return this builder
     */
    public Builder fairClaimIndex(boolean fairClaimIndex) {
      this.fairClaimIndex = fairClaimIndex;
      return this;
    }

    /**
     * The clock of every timestamp the store writes, for tests. By default the store uses the
     * database server's clock ({@code clock_timestamp()}, read at start and every 30 s, advanced by
     * this JVM's monotonic clock in between), so that every process sharing the store agrees on
     * lease expiry, due times and quota windows whatever its own host's clock says. A clock given
     * here replaces that: give every process the same one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How the listener retries a lost connection: first after {@code initial}, doubling up to
     * {@code max}. Default 100 ms to 30 s.
     *
     * @param initial the first delay
     * @param max the longest delay
     * @return this builder
     */
    public Builder listenerReconnectBackoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero()) {
        throw new JobConfigurationException("listenerReconnectBackoff initial must be positive, was " + initial);
      }
      if (max.compareTo(initial) < 0) {
        throw new JobConfigurationException(
            "listenerReconnectBackoff max must be at least initial (" + initial + "), was " + max);
      }
      this.reconnectInitial = initial;
      this.reconnectMax = max;
      return this;
    }

    /**
     * How long the first {@code subscribe} waits for the listener to be listening; default 10 s.
     *
     * @param wait the longest wait
     * @return this builder
     */
    public Builder listenerConnectWait(Duration wait) {
      if (wait.isNegative()) {
        throw new JobConfigurationException("listenerConnectWait must not be negative, was " + wait);
      }
      this.listenerConnectWait = wait;
      return this;
    }

    /**
     * The longest time between two looks at the event log when no hint arrives: how late events
     * written without this library's hint (plain SQL, the SQL functions) or while the listening
     * connection is down reach subscribers; default 250 ms, at least 10 ms.
     *
     * @param interval the poll interval, at least 10 ms
     * @return this builder
     */
    public Builder eventPollInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new JobConfigurationException("eventPollInterval must be at least 10 ms, was " + interval);
      }
      this.eventPollInterval = interval;
      return this;
    }

    /**
     * The least time between two wake-up hints this store sends to other processes after its
     * writes (the first at once, later ones coalesced); default 10 ms, between 1 ms and 1 s.
     *
     * @param interval between 1 ms and 1 s
     * @return this builder
     */
    public Builder hintInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new JobConfigurationException("hintInterval must be between 1 ms and 1 s, was " + interval);
      }
      this.hintInterval = interval;
      return this;
    }

    /**
     * Connects, migrates (or checks the schema) and returns the store.
     *
     * @return the store, ready to use
     * @throws JobConfigurationException neither or both of dataSource and jdbcUrl, or the schema
     *     is not up to date with autoMigrate off
     * @throws JobStoreException the database cannot be reached or a migration failed
     */
    public PostgresJobStore build() {
      if ((dataSource == null) == (jdbcUrl == null)) {
        throw new JobConfigurationException(
            "PostgresJobStore needs exactly one of dataSource(...) or jdbcUrl(...), was "
                + (dataSource == null ? "neither" : "both"));
      }
      if (dataSource != null) {
        return new PostgresJobStore(this, dataSource, null, Connectors.forDataSource(dataSource));
      }
      String url = Objects.requireNonNull(jdbcUrl);
      HikariDataSource pool = openPool(url);
      try {
        return new PostgresJobStore(this, pool, pool, Connectors.jdbc(url, user, password, new Properties()));
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
    }

    private HikariDataSource openPool(String url) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setUsername(user);
      config.setPassword(password);
      config.setMaximumPoolSize(maxPoolSize);
      config.setMinimumIdle(Math.min(2, maxPoolSize));
      config.setConnectionTimeout(connectionTimeout.toMillis());
      config.setPoolName("asyncjobs-" + schema + (tablePrefix.isEmpty() ? "" : "-" + tablePrefix));
      config.addDataSourceProperty("ApplicationName", "asyncjobs");
      try {
        return new HikariDataSource(config);
      } catch (RuntimeException e) {
        throw new JobStoreException(
            "PostgreSQL job store: cannot connect to " + redact(url) + ": " + e.getMessage(), SqlErrors.sqlState(e), e);
      }
    }

    private static String redact(String url) {
      return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
  }
}
