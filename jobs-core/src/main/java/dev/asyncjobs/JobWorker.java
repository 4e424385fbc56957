package dev.asyncjobs;

import dev.asyncjobs.internal.GeneratorRegistry;
import dev.asyncjobs.internal.ManualRunner;
import dev.asyncjobs.internal.WorkerConfig;
import dev.asyncjobs.internal.MaintenanceTask;
import dev.asyncjobs.internal.ScheduleRunner;
import dev.asyncjobs.internal.WorkerRuntime;
import dev.asyncjobs.internal.WorkerThreads;
import dev.asyncjobs.spi.StoreCapability;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The embedded worker loop: claims due jobs of its manager's types, runs them with their
 * generators, keeps their leases alive, reports progress, honours cancellation, retries failures
 * with backoff, times out runaway attempts, rescues jobs of crashed workers, and shuts down
 * gracefully. Any number of workers, in any number of processes, may share one store.
 *
 * <pre>{@code
 * JobWorker worker = JobWorker.builder(jobs).concurrency(8).build().start();
 * ...
 * worker.close(); // stops claiming, lets running jobs finish, releases the rest
 * }</pre>
 *
 * <p>The store, clock and generators come from the {@link JobManager}. Every thread the worker
 * makes is a daemon named {@code asyncjobs-<workerId>-<role>-<n>}; {@link #close()} ends them all.
 */
public final class JobWorker implements AutoCloseable {
  /** The default of {@link Builder#outputInterval}, in milliseconds. */
  public static final long DEFAULT_OUTPUT_INTERVAL_MILLIS = 100;
  /** The default of {@link Builder#maxOutputBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
  /** The default of {@link Builder#maxRateLimitDeferrals}. */
  public static final int DEFAULT_MAX_RATE_LIMIT_DEFERRALS = 20;
  private static final Duration DEFAULT_OUTPUT_INTERVAL = Duration.ofMillis(DEFAULT_OUTPUT_INTERVAL_MILLIS);
  private final String workerId;
  private final WorkerRuntime runtime;
  private final JobManager manager;
  private final List<Schedule> schedules;
  private final ScheduleRunner scheduleRunner;

  private JobWorker(String workerId, WorkerRuntime runtime, JobManager manager, List<Schedule> schedules,
      ScheduleRunner scheduleRunner) {
    this.workerId = workerId;
    this.runtime = runtime;
    this.manager = manager;
    this.schedules = List.copyOf(schedules);
    this.scheduleRunner = scheduleRunner;
  }

  /**
   * Starts a builder for a worker that runs {@code manager}'s jobs.
   *
   * @param manager the manager whose jobs the worker runs
   * @return a new builder
   */
  public static Builder builder(JobManager manager) {
    return new Builder(manager);
  }

  /**
   * Saves the {@linkplain Builder#schedule schedules} given to the builder, then starts claiming and
   * running jobs and firing the store's schedules. Calling it again while running does nothing.
   *
   * @return this worker
   * @throws InvalidRequestException a schedule's job would be refused by {@link JobManager#create};
   *     nothing started
   * @throws JobStoreException the store could not save the schedules; nothing started
   * @throws JobException the worker was closed
   */
  public JobWorker start() {
    if (runtime.isRunning()) {
      return this;
    }
    // Saved before anything starts: a store that refuses them leaves nothing running.
    if (!schedules.isEmpty()) {
      JobSchedules registered = JobSchedules.of(manager);
      schedules.forEach(registered::save);
    }
    runtime.start();
    scheduleRunner.start();
    return this;
  }

  /**
   * Stops gracefully: no more claims; running jobs get the shutdown grace period to finish; then
   * they are interrupted and, as their generators stop, their leases are released so that another
   * worker takes them at once (the attempt is not counted). Returns when every thread of this
   * worker has ended. Idempotent.
   */
  @Override
  public void close() {
    scheduleRunner.close();
    runtime.close();
  }

  /** {@return the id this worker writes into its leases} */
  public String workerId() {
    return workerId;
  }

  /** {@return whether it was started and not closed} */
  public boolean isRunning() {
    return runtime.isRunning();
  }

  /** {@return how many attempts run on this worker now} */
  public int runningJobs() {
    return runtime.runningCount();
  }

  /**
   * Looks for due jobs now instead of at the next poll. Store events already do this; call it when
   * you learn of due jobs another way (or after moving a test clock).
   */
  public void wakeUp() {
    runtime.wakeUp();
  }

  /**
   * {@return the name prefix of every thread of the worker with this id: {@code
   * asyncjobs-<workerId>-}}
   *
   * @param workerId the worker's id
   */
  public static String threadNamePrefix(String workerId) {
    return WorkerThreads.prefix(workerId);
  }

  @Override
  public String toString() {
    return "JobWorker[" + workerId + "]";
  }

  /**
   * Settings of a {@link JobWorker} (and of a {@link ManualWorker}, see {@link #buildManual()}).
   * Every setter checks its value at once and throws {@link JobConfigurationException} naming the
   * setting and the value.
   */
  public static final class Builder {
    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,100}");

    private final JobManager manager;
    private @Nullable String workerId;
    private @Nullable Set<String> types;
    private int concurrency = 4;
    private final Map<String, Integer> typeConcurrency = new HashMap<>();
    private int claimBatchSize = 10;
    private Duration leaseDuration = Duration.ofSeconds(30);
    private @Nullable Duration heartbeatInterval;
    private Duration pollInterval = Duration.ofSeconds(1);
    private @Nullable Duration rescueInterval;
    private Duration timeout = Duration.ofMinutes(10);
    private final Map<String, Duration> typeTimeouts = new HashMap<>();
    private Duration shutdownGracePeriod = Duration.ofSeconds(20);
    private @Nullable Executor executor;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private final Map<String, RetryPolicy> typeRetryPolicies = new HashMap<>();
    private final Map<String, Duration> pacing = new HashMap<>();
    private Duration progressInterval = Duration.ofMillis(250);
    private Duration outputInterval = DEFAULT_OUTPUT_INTERVAL;
    private long maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
    private int maxRateLimitDeferrals = DEFAULT_MAX_RATE_LIMIT_DEFERRALS;
    private boolean fairBetweenOwners;
    private boolean keepLimitSlots;
    private Sleeper sleeper = Sleeper.system();
    // Asks for the calling thread's generator on every draw: ThreadLocalRandom must not be shared.
    private RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
    private final List<WorkerListener> listeners = new ArrayList<>();
    private final List<AttemptInterceptor> interceptors = new ArrayList<>();
    private final Map<String, Schedule> schedules = new LinkedHashMap<>();
    private final Map<String, ClusterTask> tasks = new LinkedHashMap<>();
    private Maintenance maintenance = Maintenance.defaults();
    private boolean runSchedules = true;
    private Duration schedulePollInterval = Duration.ofSeconds(1);

    private Builder(JobManager manager) {
      this.manager = Objects.requireNonNull(manager, "manager");
    }

    /**
     * The id written into leases and thread names; default host name, process id and a random
     * suffix. Must be unique among live workers: 1-100 of {@code A-Z a-z 0-9 . _ : @ -}.
     *
     * @param id the worker's id
     * @return this builder
     */
    public Builder workerId(String id) {
      if (id == null || !WORKER_ID.matcher(id).matches()) {
        throw new JobConfigurationException(
            "workerId must be 1-100 characters of A-Z a-z 0-9 . _ : @ -, was '" + id + "'");
      }
      this.workerId = id;
      return this;
    }

    /**
     * Claims only these types (a dedicated worker node); default every type of the manager.
     *
     * @param types the job types to claim
     * @return this builder
     */
    public Builder types(Set<String> types) {
      if (types.isEmpty()) {
        throw new JobConfigurationException("types must name at least one type, was []");
      }
      for (String t : types) {
        requireKnown("types", t);
      }
      this.types = Set.copyOf(types);
      return this;
    }

    /**
     * The most jobs running at once on this worker; default 4.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder concurrency(int max) {
      this.concurrency = atLeastOne("concurrency", max);
      return this;
    }

    /**
     * The most jobs of {@code type} running at once on this worker; default only the total limit.
     *
     * @param type the job type
     * @param max at least 1
     * @return this builder
     */
    public Builder concurrency(String type, int max) {
      requireKnown("concurrency", type);
      typeConcurrency.put(type, atLeastOne("concurrency(" + type + ")", max));
      return this;
    }

    /**
     * The most jobs one claim asks for; default 10. A claim asks for no more than the free capacity,
     * except that for short jobs the worker may claim up to one batch ahead into its local buffer.
     *
     * @param size at least 1
     * @return this builder
     */
    public Builder claimBatchSize(int size) {
      this.claimBatchSize = atLeastOne("claimBatchSize", size);
      return this;
    }

    /**
     * How long a lease holds without a heartbeat; after it, another worker may rescue the job.
     * Default 30 s; at least 100 ms.
     *
     * @param lease the lease duration
     * @return this builder
     */
    public Builder leaseDuration(Duration lease) {
      this.leaseDuration = atLeast("leaseDuration", lease, Duration.ofMillis(100));
      return this;
    }

    /**
     * How often leases are extended, in one store call for all running jobs; default a third of the lease.
     *
     * @param interval shorter than the lease
     * @return this builder
     */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = atLeast("heartbeatInterval", interval, Duration.ofMillis(10));
      return this;
    }

    /**
     * The longest wait between looks for due jobs. Store events wake the worker at once, so this
     * is only a fallback (a missed notification, a clock moved by a test); default 1 s.
     *
     * @param interval the longest wait
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = atLeast("pollInterval", interval, Duration.ofMillis(10));
      return this;
    }

    /**
     * How often jobs whose lease expired (a crashed worker) are rescued; default half the lease.
     *
     * @param interval the rescue interval
     * @return this builder
     */
    public Builder rescueInterval(Duration interval) {
      this.rescueInterval = atLeast("rescueInterval", interval, Duration.ofMillis(10));
      return this;
    }

    /**
     * How long one attempt may run before it is interrupted and retried; default 10 min.
     *
     * @param timeout the attempt timeout
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = atLeast("timeout", timeout, Duration.ofMillis(1));
      return this;
    }

    /**
     * The attempt timeout of one type.
     *
     * @param type the job type
     * @param timeout the attempt timeout of that type
     * @return this builder
     */
    public Builder timeout(String type, Duration timeout) {
      requireKnown("timeout", type);
      typeTimeouts.put(type, atLeast("timeout(" + type + ")", timeout, Duration.ofMillis(1)));
      return this;
    }

    /**
     * How long {@link JobWorker#close()} lets running jobs finish before releasing them; default 20 s.
     *
     * @param grace the grace period
     * @return this builder
     */
    public Builder shutdownGracePeriod(Duration grace) {
      this.shutdownGracePeriod = atLeast("shutdownGracePeriod", grace, Duration.ZERO);
      return this;
    }

    /**
     * Runs attempts on the host's executor (e.g. {@code Executors.newVirtualThreadPerTaskExecutor()}
     * on Java 21+). It must run each task at once (no bounded queue) and stays the host's: close()
     * does not shut it down. Default: the worker's own pool of {@code concurrency} platform threads.
     *
     * @param executor the host's executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The retry backoff of every type without its own; default {@link RetryPolicy#DEFAULT}.
     *
     * @param policy the default retry policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * The retry backoff of one type.
     *
     * @param type the job type
     * @param policy the retry policy of that type
     * @return this builder
     */
    public Builder retryPolicy(String type, RetryPolicy policy) {
      requireKnown("retryPolicy", type);
      typeRetryPolicies.put(type, Objects.requireNonNull(policy, "retryPolicy"));
      return this;
    }

    /**
     * The least time between two starts of {@code type} on this worker, to stay under a remote
     * API's rate limit; default none. (Across several workers, divide the rate among them.)
     *
     * @param type the job type
     * @param minInterval the least time between two starts
     * @return this builder
     */
    public Builder pacing(String type, Duration minInterval) {
      requireKnown("pacing", type);
      pacing.put(type, atLeast("pacing(" + type + ")", minInterval, Duration.ofMillis(1)));
      return this;
    }

    /**
     * The least time between two progress writes of one job (later reports are coalesced); default 250 ms.
     *
     * @param interval the least time between two progress writes
     * @return this builder
     */
    public Builder progressInterval(Duration interval) {
      this.progressInterval = atLeast("progressInterval", interval, Duration.ZERO);
      return this;
    }

    /**
     * The least time between two writes of one attempt's streamed output ({@link
     * JobContext#appendText}, {@link JobContext#emitPart}); pieces in between are written together.
     * Default {@value #DEFAULT_OUTPUT_INTERVAL_MILLIS} ms: what a reader sees lags the generator by
     * at most this (plus delivery), and a streaming job costs the store at most one write per interval.
     *
     * @param interval the least time between two output writes; zero writes every piece at once
     * @return this builder
     */
    public Builder outputInterval(Duration interval) {
      this.outputInterval = atLeast("outputInterval", interval, Duration.ZERO);
      return this;
    }

    /**
     * The most partial output one attempt may stream, in UTF-8 bytes of text and part JSON; a piece
     * past it is refused with {@link OutputTooLargeException}. Default {@value
     * #DEFAULT_MAX_OUTPUT_BYTES} (1 MiB).
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder maxOutputBytes(long bytes) {
      if (bytes < 1) {
        throw new JobConfigurationException("maxOutputBytes must be at least 1, was " + bytes);
      }
      this.maxOutputBytes = bytes;
      return this;
    }

    /**
     * How many times one job may be handed back to PENDING without spending an attempt, because its
     * generator threw {@link RateLimitedException}; after that, a rate-limited attempt counts like
     * any retryable failure, so that a provider that refuses for good still ends the job. Default
     * {@value #DEFAULT_MAX_RATE_LIMIT_DEFERRALS}. The back-off for every worker happens either way.
     *
     * @param deferrals at least 0 (0: a rate-limited attempt always counts)
     * @return this builder
     */
    public Builder maxRateLimitDeferrals(int deferrals) {
      if (deferrals < 0) {
        throw new JobConfigurationException("maxRateLimitDeferrals must not be negative, was " + deferrals);
      }
      this.maxRateLimitDeferrals = deferrals;
      return this;
    }

    /**
     * Whether this worker's claims take owners in turn within a priority, rather than the oldest
     * jobs first whoever owns them; default false. With it, one owner's backlog of a thousand jobs
     * does not hold back another owner's ten: a job's turn is its place among its owner's due and
     * running jobs of the claimed types, and the claim takes the lowest turns first (see {@link
     * dev.asyncjobs.spi.JobStore#claim}). Priority still comes first. It costs the store more per
     * claim, growing with the number of owners that have due jobs; docs/workers.md gives the
     * figures.
     *
     * @param fair true to take owners in turn
     * @return this builder
     */
    public Builder fairBetweenOwners(boolean fair) {
      this.fairBetweenOwners = fair;
      return this;
    }

    /**
     * Whether a slot that this worker's completions free under a binding {@link JobLimit} goes
     * straight to its next job, in the same store call as the completions ({@link
     * dev.asyncjobs.spi.JobStore#completeAllThenClaim}), rather than to whichever worker claims
     * first; default false. A slot then never stands empty between two jobs (on PostgreSQL about 2
     * ms per job less idle: a few per cent of a limit's use on jobs of 50 ms, nothing measurable on
     * jobs of seconds). The price: while this worker has due jobs under the limit, it keeps the
     * slots it holds, and other workers get them only once it stops taking them. Worth it for one
     * worker process, or where it does not matter which process calls the provider. See
     * docs/limits.md.
     *
     * @param keep true to hand freed slots to this worker's next jobs
     * @return this builder
     */
    public Builder keepLimitSlots(boolean keep) {
      this.keepLimitSlots = keep;
      return this;
    }

    /**
     * A schedule this worker saves to the store when it starts (replacing one of the same name
     * whose definition differs; keeping the next run of one that is the same), so that schedules
     * can live in code. Every worker on the store fires every stored schedule of the types it runs,
     * whoever saved it; see {@link JobSchedules} to change or remove one at run time.
     *
     * @param schedule the schedule
     * @return this builder
     */
    public Builder schedule(Schedule schedule) {
      Objects.requireNonNull(schedule, "schedule");
      schedules.put(schedule.name(), schedule);
      return this;
    }

    /**
     * Whether this worker fires the store's schedules (the built-in maintenance included); default
     * true. Off for a worker that should only run jobs; some worker on the store must fire them.
     *
     * @param run whether it fires schedules
     * @return this builder
     */
    public Builder runSchedules(boolean run) {
      this.runSchedules = run;
      return this;
    }

    /**
     * How often this worker reads the store's schedules; default one second. A change or removal
     * of a schedule is seen within it; a tick is fired at its time (the worker waits for the
     * earliest next run it read).
     *
     * @param interval 10 ms to 1 minute
     * @return this builder
     */
    public Builder schedulePollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new JobConfigurationException("schedulePollInterval must be 10 ms to 1 minute, was " + interval);
      }
      this.schedulePollInterval = interval;
      return this;
    }

    /**
     * The housekeeping this worker takes part in: deleting finished jobs past their retention and
     * pruning the event log; default {@link Maintenance#defaults()}, {@link Maintenance#disabled()}
     * for none. On a store with {@link StoreCapability#SCHEDULES} one worker of all runs each tick,
     * with its own settings.
     *
     * @param settings what to delete and how often
     * @return this builder
     */
    public Builder maintenance(Maintenance settings) {
      this.maintenance = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Adds recurring work that the workers on the store run once per tick among them (see {@link
     * ClusterTask}), such as the webhook dispatcher of {@code jobs-webhooks}. It runs only when this
     * worker {@linkplain #runSchedules runs schedules}.
     *
     * @param task the task; its name must be new to this builder
     * @return this builder
     * @throws JobConfigurationException the name does not start with {@value
     *     Schedule#RESERVED_PREFIX} or is not a valid schedule name after it, is the built-in
     *     maintenance's or another task's, or the interval is shorter than 10 ms
     */
    public Builder task(ClusterTask task) {
      Objects.requireNonNull(task, "task");
      String name = Objects.requireNonNull(task.name(), "task.name()");
      boolean valid = name.startsWith(Schedule.RESERVED_PREFIX)
          && name.length() > Schedule.RESERVED_PREFIX.length()
          && name.length() <= Schedule.MAX_NAME_LENGTH
          && Schedule.hasNameCharacters(name.substring(Schedule.RESERVED_PREFIX.length()));
      if (!valid) {
        throw new JobConfigurationException("a task's name is '" + Schedule.RESERVED_PREFIX
            + "' and then letters, digits, '.', '_', ':' and '-', at most " + Schedule.MAX_NAME_LENGTH + " in all, was '" + name + "'");
      }
      if (name.equals(MaintenanceTask.NAME) || tasks.containsKey(name)) {
        throw new JobConfigurationException("a task named " + name + " is already registered");
      }
      if (task.interval().compareTo(Duration.ofMillis(10)) < 0) {
        throw new JobConfigurationException("task " + name + ": the interval must be at least 10 ms, was " + task.interval());
      }
      tasks.put(name, task);
      return this;
    }

    /**
     * What {@link JobContext#sleep(Duration)} waits with; default {@link Sleeper#system()}.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The source of retry jitter; default {@link ThreadLocalRandom}. Must be thread-safe.
     *
     * @param random a thread-safe random generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Adds a metrics hook.
     *
     * @param listener called on the worker's events (claims, attempts, heartbeats)
     * @return this builder
     */
    public Builder listener(WorkerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds an interceptor around every generator call (tracing); several wrap each other, the first
     * added outermost.
     *
     * @param interceptor runs each attempt on the attempt's thread
     * @return this builder
     */
    public Builder interceptor(AttemptInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * The worker, not yet started.
     *
     * @return the worker; call {@link JobWorker#start()} to run it
     * @throws JobConfigurationException the manager has no generators, or the heartbeat is not
     *     shorter than the lease
     * @throws UnsupportedCapabilityException {@link #fairBetweenOwners} is on and the store does not
     *     declare {@link StoreCapability#FAIR_CLAIMS}
     */
    public JobWorker build() {
      WorkerConfig config = config();
      if (!schedules.isEmpty() && !manager.store().capabilities().contains(StoreCapability.SCHEDULES)) {
        throw new UnsupportedCapabilityException(StoreCapability.SCHEDULES, "JobWorker.Builder.schedule(...)",
            manager.store().getClass().getName(), "use a store that keeps schedules (both bundled stores do)");
      }
      WorkerRuntime runtime = new WorkerRuntime(manager.store(), manager.clock(), registry(), config);
      List<ClusterTask> builtIn = new ArrayList<>();
      if (runSchedules) {
        if (maintenance.enabled()) {
          builtIn.add(new MaintenanceTask(manager.store(), maintenance, manager.eventRetention()));
        }
        builtIn.addAll(tasks.values());
      }
      ScheduleRunner runner = new ScheduleRunner(manager.store(), manager.clock(), manager::create,
          runSchedules ? config.types() : Set.of(), builtIn, schedulePollInterval, config.workerId(),
          new WorkerThreads(config.workerId()).factory("schedules"));
      return new JobWorker(config.workerId(), runtime, manager, new ArrayList<>(schedules.values()), runner);
    }

    /**
     * A worker with these settings that runs due jobs on the calling thread, one step at a time,
     * for tests. Concurrency, pacing, polling and the executor do not apply; timeouts are reported
     * as the deadline but not enforced.
     *
     * @return the manual worker
     */
    public ManualWorker buildManual() {
      WorkerConfig config = config();
      return new ManualWorker(config.workerId(), new ManualRunner(manager.store(), manager.clock(), registry(), config));
    }

    private GeneratorRegistry registry() {
      return manager.registry();
    }

    private WorkerConfig config() {
      Set<String> claimTypes = types != null ? types : manager.types();
      if (claimTypes.isEmpty()) {
        throw new JobConfigurationException("the JobManager has no generators: register one with JobManager.builder().generator(...)");
      }
      Duration heartbeat = heartbeatInterval != null ? heartbeatInterval : leaseDuration.dividedBy(3);
      if (heartbeat.compareTo(leaseDuration) >= 0) {
        throw new JobConfigurationException(
            "heartbeatInterval must be shorter than leaseDuration (" + leaseDuration + "), was " + heartbeat);
      }
      if (fairBetweenOwners && !manager.store().capabilities().contains(StoreCapability.FAIR_CLAIMS)) {
        throw new UnsupportedCapabilityException(StoreCapability.FAIR_CLAIMS, "JobWorker.Builder.fairBetweenOwners(true)",
            manager.store().getClass().getName(), "use a store that takes owners in turn (both bundled stores do)");
      }
      for (String t : new TreeSet<>(typeConcurrency.keySet())) {
        if (!claimTypes.contains(t)) {
          throw new JobConfigurationException("concurrency(" + t + "): this worker does not claim type '" + t + "'");
        }
      }
      return new WorkerConfig(
          workerId != null ? workerId : defaultWorkerId(),
          new LinkedHashSet<>(claimTypes),
          concurrency,
          typeConcurrency,
          claimBatchSize,
          leaseDuration,
          heartbeat,
          pollInterval,
          rescueInterval != null ? rescueInterval : leaseDuration.dividedBy(2),
          timeout,
          typeTimeouts,
          shutdownGracePeriod,
          executor,
          retryPolicy,
          typeRetryPolicies,
          pacing,
          progressInterval,
          outputInterval,
          maxOutputBytes,
          maxRateLimitDeferrals,
          fairBetweenOwners,
          keepLimitSlots,
          sleeper,
          random,
          withBudgetSettler(listeners),
          interceptors);
    }

    /** The manager's budget settler first, so that a host's listener sees the budget already settled. */
    private List<WorkerListener> withBudgetSettler(List<WorkerListener> hostListeners) {
      List<WorkerListener> all = new ArrayList<>(hostListeners.size() + 1);
      all.add(manager.budgetSettler());
      all.addAll(hostListeners);
      return all;
    }

    private void requireKnown(String setting, String type) {
      if (!manager.types().contains(type)) {
        throw new JobConfigurationException(
            setting + ": unknown job type '" + type + "'; the manager's types: " + new TreeSet<>(manager.types()));
      }
    }

    private static int atLeastOne(String setting, int value) {
      if (value < 1) {
        throw new JobConfigurationException(setting + " must be at least 1, was " + value);
      }
      return value;
    }

    private static Duration atLeast(String setting, Duration value, Duration min) {
      Objects.requireNonNull(value, setting);
      if (value.compareTo(min) < 0) {
        throw new JobConfigurationException(setting + " must be at least " + min + ", was " + value);
      }
      return value;
    }

    /** Host name, process id and 4 random bytes, so that two workers never share an id. */
    static String defaultWorkerId() {
      String host = System.getenv("HOSTNAME");
      if (host == null || host.isBlank()) {
        try {
          host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
          host = "localhost";
        }
      }
      String safeHost = host.replaceAll("[^A-Za-z0-9._-]", "-");
      if (safeHost.length() > 60) {
        safeHost = safeHost.substring(0, 60);
      }
      byte[] suffix = new byte[4];
      ThreadLocalRandom.current().nextBytes(suffix);
      return safeHost + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(suffix);
    }
  }
}
