package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.Page;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.UnsupportedCapabilityException;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.Generator;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.spi.ClaimRequest;
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
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.WakeUpHints;
import dev.asyncjobs.spi.WorkerProgress;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.JobStoreTck;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A store that implements only the required contract (no quotas, no statistics: the SPI's defaults
 * throw) passes the suite with the optional tests skipped, and a manager refuses, naming the
 * capability, what it cannot serve.
 */
class StoreWithoutOptionalCapabilitiesTest extends JobStoreTck {
  @Override
  protected JobStore createStore(Clock clock) {
    return new RequiredOnly(new InMemoryJobStore(clock));
  }

  @Test
  void aManagerWithAQuotaPolicyIsRefusedNamingTheCapability() {
    try (JobStore store = createStore(Clock.systemUTC())) {
      for (QuotaPolicy limiting : List.of(QuotaPolicy.perOwner(10, 100, Duration.ZERO),
          QuotaPolicy.builder().owner("alice", new QuotaLimits(1, 1, Duration.ZERO)).build())) {
        assertThatThrownBy(() -> JobManager.builder().store(store).generator(new EchoGenerator()).quotaPolicy(limiting).build())
            .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
              assertThat(e.capability()).isEqualTo(StoreCapability.QUOTAS);
              assertThat(e.getMessage()).contains("QUOTAS").contains(RequiredOnly.class.getName());
              assertThat(e.code()).isEqualTo("unsupported_capability");
            });
      }
      // a policy that limits nobody is "no quota", whichever way it was written
      JobManager.builder().store(store).generator(new EchoGenerator())
          .quotaPolicy(QuotaPolicy.builder().defaults(QuotaLimits.UNLIMITED).build()).build().close();
    }
  }

  @Test
  void withoutStatisticsStatsAreRefusedAndEstimatesAreTheGeneratorsOwn() {
    try (JobStore store = createStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      Job job = jobs.create(JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build());
      assertThat(job.estimatedDuration()).isEqualTo(Duration.ofSeconds(7));
      assertThatThrownBy(jobs::stats)
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
              e -> assertThat(e.capability()).isEqualTo(StoreCapability.STATISTICS));
      assertThatThrownBy(() -> jobs.stats("alice")).isInstanceOf(UnsupportedCapabilityException.class);
      assertThat(jobs.quotaUsage("alice").limits()).isEqualTo(QuotaLimits.UNLIMITED);
      assertThat(jobs.quotaUsage("alice").usedLastHour()).isZero();
      jobs.resetQuota("alice"); // nothing to forget, and no call the store cannot answer
      assertThat(jobs.get("alice", job.id())).isEqualTo(job);
    }
  }

  @Test
  void withoutLimitsTheLimitCallsAreRefusedAndARateLimitIsAnOrdinaryRetry() {
    try (JobStore store = createStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      JobLimit limit = JobLimit.builder("echo").maxRunning(1).build();
      for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
          () -> jobs.defineLimit(limit), () -> jobs.removeLimit("echo"), () -> jobs.pause("echo"),
          () -> jobs.resume("echo"), jobs::limits)) {
        assertThatThrownBy(call).isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
          assertThat(e.capability()).isEqualTo(StoreCapability.LIMITS);
          assertThat(e.getMessage()).contains("LIMITS");
        });
      }
    }
    // The worker's answer to a provider's 429 needs no LIMITS: the attempt counts and waits the
    // retry-after, as any retryable failure.
    MutableClock clock = new MutableClock();
    try (JobStore store = createStore(clock);
        JobManager jobs = JobManager.builder().store(store).clock(clock).generator(new RateLimitedOnce()).build()) {
      Job job = jobs.create(JobRequest.builder("alice", RateLimitedOnce.TYPE).payload("{}").build());
      Job retry = ManualWorker.of(jobs).runNext().orElseThrow();
      assertThat(retry.id()).isEqualTo(job.id());
      assertThat(retry.status()).isEqualTo(JobStatus.PENDING);
      assertThat(retry.attempts()).isEqualTo(1);
      assertThat(retry.deferrals()).isZero();
      assertThat(retry.runAt()).isAfterOrEqualTo(clock.instant().plusSeconds(30));
    }
  }

  @Test
  void withoutSchedulesTheScheduleCallsAreRefusedAndEachWorkerMaintainsOnItsOwn() throws Exception {
    MutableClock clock = new MutableClock();
    try (JobStore store = createStore(clock);
        JobManager jobs = JobManager.builder().store(store).clock(clock).generator(new EchoGenerator()).build()) {
      assertThatThrownBy(() -> dev.asyncjobs.JobSchedules.of(jobs)).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
          e -> assertThat(e.capability()).isEqualTo(StoreCapability.SCHEDULES));
      dev.asyncjobs.Schedule schedule = dev.asyncjobs.Schedule.every("s", Duration.ofSeconds(1))
          .job(JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build()).build();
      assertThatThrownBy(() -> JobWorker.builder(jobs).schedule(schedule).build())
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
              e -> assertThat(e.capability()).isEqualTo(StoreCapability.SCHEDULES));

      Job job = jobs.create(JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build());
      ManualWorker.of(jobs).runNext().orElseThrow();
      try (JobWorker worker = JobWorker.builder(jobs).schedulePollInterval(Duration.ofMillis(20))
          .maintenance(dev.asyncjobs.Maintenance.builder().interval(Duration.ofSeconds(1))
              .finishedJobRetention(Duration.ofMinutes(1)).build()).build().start()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (jobs.find("alice", job.id()).isPresent()) {
          assertThat(System.nanoTime()).as("the old job deleted by the worker's own maintenance").isLessThan(deadline);
          clock.advance(Duration.ofSeconds(10)); // time passes: ticks come, the job ages past its retention
          Thread.sleep(20);
        }
        assertThat(clock.instant()).as("not before its retention").isAfter(MutableClock.DEFAULT_START.plus(Duration.ofMinutes(1)));
      }
    }
  }

  @Test
  void withoutAdminRetryDeleteAndThroughputAreRefusedAndTheRestWorks() {
    try (JobStore store = createStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      dev.asyncjobs.JobAdmin admin = dev.asyncjobs.JobAdmin.of(jobs);
      Job job = jobs.create(JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build());
      for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
          () -> admin.retry(job.id(), "ops"), () -> admin.delete(job.id(), "ops"),
          () -> admin.throughput(Duration.ofHours(1), Duration.ofMinutes(1)))) {
        assertThatThrownBy(call).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
            e -> assertThat(e.capability()).isEqualTo(StoreCapability.ADMIN));
      }
      assertThat(admin.search(dev.asyncjobs.JobQuery.allOwners().build()).items()).extracting(Job::id).containsExactly(job.id());
      assertThat(admin.detail(job.id()).orElseThrow().events()).extracting(e -> e.kind()).containsExactly(dev.asyncjobs.JobEvent.Kind.CREATED);
      assertThat(admin.cancel(job.id(), "ops").status()).isEqualTo(JobStatus.CANCELLED);
    }
  }

  @Test
  void withoutUsageReportsAreRefusedAndReportedUsageIsDropped() {
    try (JobStore store = createStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generator(new UsageReporter()).build()) {
      Instant now = Instant.now();
      assertThatThrownBy(() -> jobs.usage("alice", now.minusSeconds(60), now))
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> assertThat(e.capability()).isEqualTo(StoreCapability.USAGE));
      assertThatThrownBy(() -> jobs.usageOfAllOwners(now.minusSeconds(60), now)).isInstanceOf(UnsupportedCapabilityException.class);
      Job job = jobs.create(JobRequest.builder("alice", UsageReporter.TYPE).payload("{}").build());
      Job done = ManualWorker.of(jobs).runNext().orElseThrow();
      assertThat(done.id()).isEqualTo(job.id());
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.usage()).isEqualTo(dev.asyncjobs.Usage.NONE);
      assertThatThrownBy(() -> jobs.budget("alice")).isInstanceOf(UnsupportedCapabilityException.class);
    }
    try (JobStore store = createStore(Clock.systemUTC())) {
      dev.asyncjobs.BudgetPolicy budgets = dev.asyncjobs.BudgetPolicy.everyOwner(dev.asyncjobs.BudgetLimits.builder().tokensPerDay(10).build());
      assertThatThrownBy(() -> JobManager.builder().store(store).generator(new UsageReporter()).budgetPolicy(budgets).build())
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> assertThat(e.capability()).isEqualTo(StoreCapability.BUDGETS));
      JobManager.builder().store(store).generator(new UsageReporter()).budgetPolicy(dev.asyncjobs.BudgetPolicy.unlimited()).build().close();
    }
  }

  /** Reports some usage and completes. */
  static final class UsageReporter implements Generator<java.util.Map<?, ?>> {
    static final String TYPE = "usage_reporter";

    @Override
    public String type() {
      return TYPE;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Class<java.util.Map<?, ?>> payloadType() {
      return (Class) java.util.Map.class;
    }

    @Override
    public Object generate(java.util.Map<?, ?> payload, JobContext context) {
      context.reportUsage(dev.asyncjobs.Usage.of("m").outputTokens(3).build());
      return java.util.Map.of();
    }
  }

  @Test
  void withoutFairClaimsAFairWorkerFailsToBuildAndAPlainOneBuilds() {
    try (JobStore store = createStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      assertThatThrownBy(() -> JobWorker.builder(jobs).fairBetweenOwners(true).build())
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
            assertThat(e.capability()).isEqualTo(StoreCapability.FAIR_CLAIMS);
            assertThat(e.getMessage()).contains("fairBetweenOwners").contains("FAIR_CLAIMS");
          });
      assertThatThrownBy(() -> JobWorker.builder(jobs).fairBetweenOwners(true).buildManual())
          .isInstanceOf(UnsupportedCapabilityException.class);
      JobWorker.builder(jobs).fairBetweenOwners(false).build().close();
    }
  }

  /** Refuses its first attempt as a provider's 429 with a retry-after of 30 s. */
  static final class RateLimitedOnce implements Generator<java.util.Map<?, ?>> {
    static final String TYPE = "ratelimited_once";
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<java.util.Map<?, ?>> payloadType() {
      return (Class<java.util.Map<?, ?>>) (Class<?>) java.util.Map.class;
    }

    @Override
    public Object generate(java.util.Map<?, ?> payload, JobContext context) {
      if (calls.incrementAndGet() == 1) {
        throw new RateLimitedException("test:provider", Duration.ofSeconds(30));
      }
      return "ok";
    }
  }

  @Test
  void withoutTransactionsACreateInTheCallersTransactionIsRefusedAndStoresNothing() {
    // A connection the refusal must never touch: every call on it fails the test.
    Connection untouchable = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          throw new AssertionError("the manager used the connection: " + method.getName());
        });
    for (JobStore store : List.of(createStore(Clock.systemUTC()), new InMemoryJobStore())) {
      refusesTransactions(store, untouchable);
    }
  }

  private static void refusesTransactions(JobStore store, Connection untouchable) {
    assertThat(store.capabilities()).doesNotContain(StoreCapability.TRANSACTIONS);
    try (store; JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      JobRequest request = JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build();
      assertThatThrownBy(() -> jobs.create(request, untouchable))
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> {
            assertThat(e.capability()).isEqualTo(StoreCapability.TRANSACTIONS);
            assertThat(e.getMessage()).contains("a create in the caller's transaction").contains("TRANSACTIONS");
          });
      assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).isEmpty();
      assertThatThrownBy(() -> JobManager.builder().store(store).generator(new EchoGenerator())
              .enclosingTransaction(() -> untouchable).build())
          .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
              e -> assertThat(e.capability()).isEqualTo(StoreCapability.TRANSACTIONS));
      if (!store.capabilities().contains(StoreCapability.STATISTICS)) {
        assertThatThrownBy(jobs::queueStats)
            .isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(StoreCapability.STATISTICS));
      }
    }
  }

  /** The in-memory store seen through the required part of the SPI only. */
  private static final class RequiredOnly implements JobStore {
    private final JobStore delegate;

    RequiredOnly(JobStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Clock clock() {
      return delegate.clock();
    }

    @Override
    public List<Job> insert(InsertRequest request) {
      // a store without quotas ignores the policy (a manager only ever hands it the unlimited one)
      return delegate.insert(InsertRequest.of(request.jobs()));
    }

    @Override
    public Optional<Job> find(UUID id) {
      return delegate.find(id);
    }

    @Override
    public Optional<Job> findByIdempotencyKey(String ownerId, String idempotencyKey) {
      return delegate.findByIdempotencyKey(ownerId, idempotencyKey);
    }

    @Override
    public Page<Job> query(JobQuery query) {
      return delegate.query(query);
    }

    @Override
    public List<Job> claim(ClaimRequest request) {
      return delegate.claim(request);
    }

    @Override
    public HeartbeatResult heartbeat(Collection<Lease> leases, Duration leaseDuration) {
      return delegate.heartbeat(leases, leaseDuration);
    }

    @Override
    public Job reportProgress(WorkerProgress report) {
      return delegate.reportProgress(report);
    }

    @Override
    public Job updateProgress(OwnerProgress update) {
      return delegate.updateProgress(update);
    }

    @Override
    public Job complete(Completion completion) {
      return delegate.complete(completion);
    }

    @Override
    public List<Job> completeAll(List<Completion> completions) {
      return delegate.completeAll(completions);
    }

    @Override
    public Job fail(Failure failure) {
      return delegate.fail(failure);
    }

    @Override
    public void appendOutput(OutputAppend append) {
      delegate.appendOutput(append);
    }

    @Override
    public Job release(Lease lease) {
      return delegate.release(lease);
    }

    @Override
    public Job acknowledgeCancel(Lease lease) {
      return delegate.acknowledgeCancel(lease);
    }

    @Override
    public Job cancel(String ownerId, UUID jobId) {
      return delegate.cancel(ownerId, jobId);
    }

    @Override
    public List<Job> rescueExpired(int limit) {
      return delegate.rescueExpired(limit);
    }

    @Override
    public int deleteFinishedBefore(Instant cutoff, int limit) {
      return delegate.deleteFinishedBefore(cutoff, limit);
    }

    @Override
    public Subscription subscribe(EventSubscription subscription, JobEventListener listener) {
      return delegate.subscribe(subscription, listener);
    }

    @Override
    public WakeUpHints onWakeUpHint(Runnable wake) {
      return delegate.onWakeUpHint(wake);
    }

    @Override
    public List<JobEvent> readEvents(EventQuery query) {
      return delegate.readEvents(query);
    }

    @Override
    public int pruneEvents(Instant cutoff, int limit) {
      return delegate.pruneEvents(cutoff, limit);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
