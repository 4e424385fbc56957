package dev.asyncjobs.internal;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Page;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
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
import dev.asyncjobs.spi.OutputChunk;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.WorkerProgress;
import dev.asyncjobs.testing.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A small in-memory {@link JobStore} for jobs-core's own tests of the worker: one lock around a
 * map, correct for what the worker and {@code JobManager.create} use, and hooks that make the
 * worker's concurrency visible: {@link Gate}s that hold {@code claim} and {@code completeAll}
 * calls, counts of calls and batch sizes, and failures to throw from the next call of a method.
 *
 * <p>Events are appended under the lock and delivered on one dispatcher thread in sequence order.
 * Quotas are not counted and idempotency keys are refused (no test here needs them); the reads and
 * maintenance that only {@code JobManager} makes throw {@link UnsupportedOperationException}.
 */
final class FakeStore implements JobStore {
  static final String WORKER_TYPE = "noop";
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparing(Job::priority).reversed().thenComparing(Job::runAt).thenComparing(Job::id);

  /** Holds the calls that pass it while it is closed; counts the callers waiting at it. */
  static final class Gate {
    private boolean closed;
    private int waiting;

    synchronized void close() {
      closed = true;
    }

    synchronized void open() {
      closed = false;
      notifyAll();
    }

    synchronized int waiting() {
      return waiting;
    }

    /** Waits until {@code n} callers wait at the gate; fails the test after {@code timeout}. */
    synchronized void awaitWaiting(int n, Duration timeout) throws InterruptedException {
      Deadline deadline = Deadline.after(timeout);
      while (waiting < n) {
        if (deadline.hasPassed()) {
          throw new AssertionError("expected " + n + " calls waiting at the gate, saw " + waiting);
        }
        TimeUnit.NANOSECONDS.timedWait(this, deadline.remainingNanos());
      }
    }

    synchronized void pass() {
      waiting++;
      notifyAll();
      try {
        while (closed) {
          wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobStoreException("interrupted while held at a test gate", null, e);
      } finally {
        waiting--;
        notifyAll();
      }
    }
  }

  private final Clock clock = Clock.systemUTC();
  private final Map<UUID, Job> jobs = new LinkedHashMap<>();
  private final List<JobEvent> log = new ArrayList<>();
  private long sequence;
  private int processing;
  private int maxProcessing;
  private final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fake-store-events");
    t.setDaemon(true);
    return t;
  });

  final Gate claimGate = new Gate();
  final Gate completeAllGate = new Gate();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, Queue<RuntimeException>> failures = new ConcurrentHashMap<>();
  private final List<Integer> completeAllSizes = new CopyOnWriteArrayList<>();
  private final Queue<RuntimeException> failuresAfterCompleteAll = new ConcurrentLinkedQueue<>();
  private final AtomicInteger claimsInFlight = new AtomicInteger();
  private final AtomicInteger maxClaimsInFlight = new AtomicInteger();
  private volatile Consumer<List<Job>> onClaimed = claimed -> {};

  // ---- hooks and test reads ----

  /** The next call of {@code method} throws {@code error} (several queued: one each call). */
  void failNext(String method, RuntimeException error) {
    failures.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(error);
  }

  /**
   * The next {@code completeAll} writes its completions and then throws {@code error}, as a commit
   * whose answer was lost on the way does.
   */
  void failAfterNextCompleteAll(RuntimeException error) {
    failuresAfterCompleteAll.add(error);
  }

  /** Called under the store's lock with the jobs of every claim, as it returns. */
  void onClaimed(Consumer<List<Job>> hook) {
    onClaimed = hook;
  }

  int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  /** The size of every {@code completeAll} call, in the order they arrived, failed ones included. */
  List<Integer> completeAllSizes() {
    return List.copyOf(completeAllSizes);
  }

  int maxClaimsInFlight() {
    return maxClaimsInFlight.get();
  }

  /** The most jobs that were PROCESSING at once (the leases held). */
  synchronized int maxProcessing() {
    return maxProcessing;
  }

  synchronized int count(JobStatus status) {
    return (int) jobs.values().stream().filter(j -> j.status() == status).count();
  }

  synchronized Job job(UUID id) {
    Job job = jobs.get(id);
    if (job == null) {
      throw new AssertionError("no job " + id);
    }
    return job;
  }

  synchronized List<JobEvent> events() {
    return List.copyOf(log);
  }

  /** Stores {@code n} due jobs of {@link #WORKER_TYPE} (payload {@code {}}), each with its CREATED event. */
  List<Job> addJobs(int n) {
    List<NewJob> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      batch.add(new NewJob(UUID.randomUUID(), "owner", WORKER_TYPE, "{}", 5, 3, clock.instant(), null, null));
    }
    return insert(InsertRequest.of(batch));
  }

  /** Claims {@code n} jobs for {@code workerId} and returns their leases (for tests below the worker). */
  List<Lease> claimLeases(int n, String workerId) {
    addJobs(n);
    List<Lease> leases = new ArrayList<>();
    claim(new ClaimRequest(workerId, Set.of(WORKER_TYPE), n, Duration.ofMinutes(1))).forEach(j -> leases.add(Lease.of(j)));
    return leases;
  }

  /** Returns once every event appended so far has been delivered to the subscribers. */
  void awaitDelivered(Duration timeout) throws Exception {
    dispatcher.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Ends every open subscription from the store's thread, with {@code notice} (onDropped, onPruned). */
  void endSubscriptions(Consumer<JobEventListener> notice) {
    dispatcher.execute(() -> {
      for (Sub s : subscriptions) {
        s.close();
        notice.accept(s.listener);
      }
    });
  }

  int openSubscriptions() {
    return subscriptions.size();
  }

  private void enter(String method) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    Queue<RuntimeException> q = failures.get(method);
    RuntimeException e = q == null ? null : q.poll();
    if (e != null) {
      throw e;
    }
  }

  // ---- the SPI ----

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized List<Job> insert(InsertRequest request) {
    enter("insert");
    List<Job> stored = new ArrayList<>(request.jobs().size());
    for (NewJob nj : request.jobs()) {
      if (nj.idempotencyKey() != null) {
        throw new UnsupportedOperationException("FakeStore keeps no idempotency keys");
      }
      Job job = nj.toJob(clock.instant());
      put(job, JobEvent.Kind.CREATED);
      stored.add(job);
    }
    return stored;
  }

  @Override
  public synchronized Optional<Job> find(UUID id) {
    return Optional.ofNullable(jobs.get(id));
  }

  @Override
  public List<Job> claim(ClaimRequest request) {
    enter("claim");
    maxClaimsInFlight.accumulateAndGet(claimsInFlight.incrementAndGet(), Math::max);
    try {
      claimGate.pass();
      synchronized (this) {
        Instant now = clock.instant();
        List<Job> due = jobs.values().stream()
            .filter(j -> j.status() == JobStatus.PENDING && request.types().contains(j.type()) && !j.runAt().isAfter(now))
            .sorted(CLAIM_ORDER).limit(request.limit()).toList();
        List<Job> claimed = new ArrayList<>(due.size());
        for (Job j : due) {
          claimed.add(put(j.toBuilder().status(JobStatus.PROCESSING).attempts(j.attempts() + 1).progress(0)
              .progressMessage(null).startedAt(now).updatedAt(now).workerId(request.workerId())
              .leaseUntil(now.plus(request.leaseDuration())).build(), JobEvent.Kind.STARTED));
        }
        onClaimed.accept(claimed);
        return claimed;
      }
    } finally {
      claimsInFlight.decrementAndGet();
    }
  }

  @Override
  public synchronized HeartbeatResult heartbeat(Collection<Lease> leases, Duration leaseDuration) {
    enter("heartbeat");
    Set<UUID> lost = new HashSet<>();
    Set<UUID> cancel = new HashSet<>();
    for (Lease lease : leases) {
      Job job = jobs.get(lease.jobId());
      if (job == null || !holds(job, lease)) {
        lost.add(lease.jobId());
        continue;
      }
      jobs.put(job.id(), job.toBuilder().leaseUntil(clock.instant().plus(leaseDuration)).build());
      if (job.cancelRequested()) {
        cancel.add(job.id());
      }
    }
    return new HeartbeatResult(lost, cancel);
  }

  @Override
  public synchronized Job reportProgress(WorkerProgress report) {
    enter("reportProgress");
    return fenced(report.lease(), job -> withProgress(job, report.progress(), report.message()));
  }

  @Override
  public Job updateProgress(OwnerProgress update) {
    throw new UnsupportedOperationException("FakeStore: updateProgress is not used by the worker");
  }

  private Job withProgress(Job job, int progress, @Nullable String message) {
    if (progress < job.progress()) {
      throw new InvalidRequestException("progress", "progress " + progress + " after " + job.progress());
    }
    return put(job.toBuilder().progress(progress).progressMessage(message).updatedAt(clock.instant()).build(),
        JobEvent.Kind.PROGRESS);
  }

  @Override
  public synchronized Job complete(Completion completion) {
    enter("complete");
    return completeOne(completion);
  }

  /** {@inheritDoc} Held at {@link #completeAllGate} after its size is recorded, outside the lock. */
  @Override
  public List<Job> completeAll(List<Completion> completions) {
    completeAllSizes.add(completions.size());
    enter("completeAll");
    completeAllGate.pass();
    synchronized (this) {
      List<Job> done = new ArrayList<>(completions.size());
      for (Completion c : completions) {
        try {
          done.add(completeOne(c));
        } catch (LeaseLostException lost) {
          // skipped, as the SPI says
        }
      }
      RuntimeException after = failuresAfterCompleteAll.poll();
      if (after != null) {
        throw after;
      }
      return done;
    }
  }

  private Job completeOne(Completion c) {
    return fenced(c.lease(), job -> job.cancelRequested()
        ? finish(job, JobStatus.CANCELLED, b -> b)
        : finish(job, JobStatus.COMPLETED, b -> b.result(c.resultJson()).progress(100).actualDuration(c.actualDuration())));
  }

  @Override
  public synchronized Job fail(Failure failure) {
    enter("fail");
    String errorMessage = failure.errorMessage();
    Instant retryAt = failure.retryAt();
    return fenced(failure.lease(), job -> {
      if (job.cancelRequested()) {
        return finish(job, JobStatus.CANCELLED, b -> b.errorMessage(errorMessage));
      }
      if (retryAt != null && job.attempts() < job.maxAttempts()) {
        return toPending(job, retryAt, job.attempts(), errorMessage);
      }
      return finish(job, JobStatus.FAILED, b -> b.errorMessage(errorMessage));
    });
  }

  @Override
  public synchronized Job release(Lease lease) {
    enter("release");
    return fenced(lease, job -> job.cancelRequested()
        ? finish(job, JobStatus.CANCELLED, b -> b)
        : toPending(job, clock.instant(), job.attempts() - 1, job.errorMessage()));
  }

  @Override
  public synchronized Job acknowledgeCancel(Lease lease) {
    enter("acknowledgeCancel");
    return fenced(lease, job -> finish(job, JobStatus.CANCELLED, b -> b));
  }

  @Override
  public synchronized Job cancel(String ownerId, UUID jobId) {
    Job job = owned(jobId, ownerId);
    return switch (job.status()) {
      case PENDING -> finish(job, JobStatus.CANCELLED, b -> b);
      case PROCESSING -> job.cancelRequested()
          ? job
          : put(job.toBuilder().cancelRequested(true).updatedAt(clock.instant()).build(), JobEvent.Kind.CANCEL_REQUESTED);
      default -> throw new IllegalJobStateException(jobId, job.status(), "cancel");
    };
  }

  @Override
  public synchronized List<Job> rescueExpired(int limit) {
    enter("rescueExpired");
    Instant now = clock.instant();
    List<Job> rescued = new ArrayList<>();
    for (Job job : List.copyOf(jobs.values())) {
      if (rescued.size() < limit && job.status() == JobStatus.PROCESSING && job.leaseUntil() != null
          && job.leaseUntil().isBefore(now)) {
        String why = "attempt " + job.attempts() + " abandoned: the lease of worker " + job.workerId() + " expired";
        rescued.add(job.cancelRequested() ? finish(job, JobStatus.CANCELLED, b -> b.errorMessage(why))
            : job.attempts() < job.maxAttempts() ? toPending(job, now, job.attempts(), why)
            : finish(job, JobStatus.FAILED, b -> b.errorMessage(why)));
      }
    }
    return rescued;
  }

  @Override
  public synchronized List<Duration> recentDurations(String type, int limit) {
    return jobs.values().stream()
        .filter(j -> j.type().equals(type) && j.status() == JobStatus.COMPLETED && j.actualDuration() != null)
        .sorted(Comparator.comparing((Job j) -> j.finishedAt()).reversed())
        .limit(limit).map(Job::actualDuration).toList();
  }

  @Override
  public synchronized Subscription subscribe(EventSubscription selection, JobEventListener listener) {
    enter("subscribe");
    Long asked = selection.afterSequence();
    long after = asked == null ? sequence : asked;
    if (after > sequence) {
      throw new InvalidRequestException("after", "position " + after + " is beyond the newest event " + sequence);
    }
    long oldestAfter = log.isEmpty() ? sequence : log.get(0).sequence() - 1;
    if (after < oldestAfter) {
      throw new EventsPrunedException(after, oldestAfter);
    }
    Sub s = new Sub(selection, listener, after, sequence);
    subscriptions.add(s);
    // The kept events go out first, on the dispatcher, before any event appended from now on.
    List<JobEvent> kept = log.stream().filter(e -> e.sequence() > after).toList();
    dispatcher.execute(() -> kept.forEach(s::deliver));
    return s;
  }

  @Override
  public List<JobEvent> readEvents(EventQuery query) {
    throw new UnsupportedOperationException("FakeStore: readEvents is not used by the worker");
  }

  @Override
  public synchronized int pruneEvents(Instant cutoff, int limit) {
    int n = 0;
    while (n < limit && !log.isEmpty() && log.get(0).at().isBefore(cutoff)) {
      log.remove(0);
      n++;
    }
    return n;
  }

  @Override
  public Page<Job> query(JobQuery query) {
    throw new UnsupportedOperationException("FakeStore: query is not used by the worker");
  }

  @Override
  public int deleteFinishedBefore(Instant cutoff, int limit) {
    throw new UnsupportedOperationException("FakeStore: deleteFinishedBefore is not used by the worker");
  }

  @Override
  public QuotaWindow quotaWindow(String ownerId) {
    throw new UnsupportedOperationException("FakeStore counts no quotas");
  }

  @Override
  public void resetQuota(String ownerId) {
    throw new UnsupportedOperationException("FakeStore counts no quotas");
  }

  @Override
  public List<JobStats> stats(@Nullable String ownerId, @Nullable Instant since) {
    throw new UnsupportedOperationException("FakeStore: stats is not used by the worker");
  }

  @Override
  public void close() {
    subscriptions.forEach(Sub::close);
    dispatcher.shutdownNow();
  }

  // ---- state changes, under the lock ----

  private static boolean holds(Job job, Lease lease) {
    return job.status() == JobStatus.PROCESSING && lease.workerId().equals(job.workerId())
        && job.attempts() == lease.attempt();
  }

  /** Every output append, in order: what the worker wrote and in how many writes. */
  final List<OutputAppend> outputAppends = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public synchronized void appendOutput(OutputAppend append) {
    enter("appendOutput");
    fenced(append.lease(), job -> job);
    outputAppends.add(append);
    for (OutputChunk c : append.chunks()) {
      JobEvent event = JobEvent.of(++sequence, c.kind(), jobs.get(append.lease().jobId())).toBuilder().data(c.eventData()).build();
      log.add(event);
      try {
        dispatcher.execute(() -> subscriptions.forEach(s -> s.live(event)));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the store is closed: nobody listens
      }
    }
  }

  /** The size of every {@code appendOutputAll} call, in order. */
  final List<Integer> outputBatchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public Set<UUID> appendOutputAll(List<OutputAppend> appends) {
    outputBatchSizes.add(appends.size());
    enter("appendOutputAll");
    return JobStore.super.appendOutputAll(appends);
  }

  private Job fenced(Lease lease, UnaryOperator<Job> change) {
    Job job = jobs.get(lease.jobId());
    if (job == null || !holds(job, lease)) {
      throw new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
    }
    return change.apply(job);
  }

  private Job owned(UUID jobId, String ownerId) {
    Job job = jobs.get(jobId);
    if (job == null || !job.ownerId().equals(ownerId)) {
      throw new JobNotFoundException(jobId);
    }
    return job;
  }

  private Job toPending(Job job, Instant runAt, int attempts, @Nullable String error) {
    return put(job.toBuilder().status(JobStatus.PENDING).attempts(attempts).runAt(runAt).updatedAt(clock.instant())
        .workerId(null).leaseUntil(null).errorMessage(error).build(), JobEvent.Kind.RETRY_SCHEDULED);
  }

  private Job finish(Job job, JobStatus status, UnaryOperator<Job.Builder> extra) {
    Instant now = clock.instant();
    Job done = extra.apply(job.toBuilder().status(status).updatedAt(now).finishedAt(now).workerId(null).leaseUntil(null))
        .build();
    return put(done, switch (status) {
      case COMPLETED -> JobEvent.Kind.COMPLETED;
      case FAILED -> JobEvent.Kind.FAILED;
      default -> JobEvent.Kind.CANCELLED;
    });
  }

  /** Stores the job's new state and appends its event, handed to the dispatcher in sequence order. */
  private Job put(Job job, JobEvent.Kind kind) {
    Job before = jobs.put(job.id(), job);
    boolean was = before != null && before.status() == JobStatus.PROCESSING;
    boolean is = job.status() == JobStatus.PROCESSING;
    processing += (is ? 1 : 0) - (was ? 1 : 0);
    maxProcessing = Math.max(maxProcessing, processing);
    JobEvent event = JobEvent.of(++sequence, kind, job);
    log.add(event);
    try {
      dispatcher.execute(() -> subscriptions.forEach(s -> s.live(event)));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the store is closed: nobody listens
    }
    return job;
  }

  /** One subscription: kept events up to {@code liveAfter} come from the replay, later ones live. */
  private final class Sub implements Subscription {
    final EventSubscription selection;
    final JobEventListener listener;
    final long after;
    final long liveAfter;
    volatile boolean closed;

    Sub(EventSubscription selection, JobEventListener listener, long after, long liveAfter) {
      this.selection = selection;
      this.listener = listener;
      this.after = after;
      this.liveAfter = liveAfter;
    }

    void live(JobEvent e) {
      if (e.sequence() > liveAfter) {
        deliver(e);
      }
    }

    void deliver(JobEvent e) {
      if (closed || !selection.covers(e)) {
        return;
      }
      try {
        listener.onEvent(e);
      } catch (RuntimeException ignored) {
        // a listener that throws does not stop later events (JobEventListener)
      }
    }

    @Override
    public long startedAfter() {
      return after;
    }

    @Override
    public void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }
}
