package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobException;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WakeUpHints;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded worker: a claim loop thread, a small timer (heartbeats, rescues, timeouts, progress
 * flushes, wake-ups at a retry's {@code runAt}) and the executor that runs attempts.
 *
 * <p>The loop claims only while there is free capacity, and sleeps until a store event, a finished
 * attempt, a timed wake-up or the poll interval, whichever comes first, so pickup is immediate
 * without hammering the store. Claimed jobs go to a small claim buffer; drain tasks on the executor
 * (at most the concurrency) run them one after the other, so that a busy worker hands no job from
 * thread to thread. When attempts are short the loop claims a batch ahead into that buffer (see
 * {@link #prefetch()}), so the threads have the next jobs at hand while the next claim travels.
 * Completions are written by a writer thread in batches (group commit) while the job threads move
 * on; the lease is heartbeated until the write commits.
 */
public final class WorkerRuntime {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.JobWorker");
  /** How long close() waits for interrupted generators to return before leaving their leases to expire. */
  private static final long INTERRUPT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long THREAD_JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int RESCUE_BATCH = 100;
  /**
   * Finished attempts that may always wait for their write, however small the worker: half of one
   * completion batch, so that the writer finds a good batch waiting whenever a write returns, while
   * the leases held (every heartbeat carries them all) stay bounded. See {@link #writeAllowance}.
   */
  static final int MIN_WRITE_ALLOWANCE = AttemptRunner.MAX_COMPLETION_BATCH / 2;
  /**
   * Claims of the types claimed together that may be on their way at once: two, so that the
   * store's round trip of one overlaps the next, without a queue of claims piling up at the store.
   */
  static final int MAX_CLAIMS_IN_FLIGHT = 2;
  /**
   * How long a job claimed ahead should wait for a slot, at most about: its lease is held (and
   * unusable by other workers) meanwhile, so a wait longer than a store round trip or two buys
   * nothing. See {@link #prefetch()}.
   */
  static final long PREFETCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * The events the worker acts on (see {@link #onEvent}); the store reads no other, so that a busy
   * worker does not read the log's STARTED, PROGRESS and COMPLETED events back.
   */
  private static final Set<JobEvent.Kind> WORKER_EVENTS = EnumSet.of(
      JobEvent.Kind.CREATED, JobEvent.Kind.RETRY_SCHEDULED, JobEvent.Kind.CANCEL_REQUESTED, JobEvent.Kind.FAILED,
      JobEvent.Kind.CANCELLED);

  private enum Lifecycle { NEW, RUNNING, CLOSED }

  private final JobStore store;
  private final Clock clock;
  private final WorkerConfig config;
  private final AttemptRunner runner;
  private final WorkerListener listener;
  private final WorkerThreads threads;
  private final ScheduledThreadPoolExecutor timer;
  private final Executor executor;
  private final @Nullable ExecutorService ownExecutor;
  private final RunningAttempts running = new RunningAttempts();
  private final ClaimPlanner planner;
  private final ClaimBuffer buffer;
  /** Runs the claims of the shared group, so that two can be on their way at once. */
  private final ThreadPoolExecutor claimExecutor;
  /** How many finished attempts may wait for their outcome write before claiming slows down. */
  private final int writeAllowance;
  /** Jobs the shared claims in flight may bring: counted as busy until they arrive. */
  private final AtomicInteger sharedReserved = new AtomicInteger();
  private final AtomicInteger claimsInFlight = new AtomicInteger();
  /** Held while capacity is checked and reserved, by the loop and by the completion writer alike. */
  private final Object reservations = new Object();
  /**
   * Leases whose completion went with a claim that came back short ({@link SlotHandOn}): their end
   * is no sign of due work, since that claim already looked after it.
   */
  private final Set<Lease> handedOn = ConcurrentHashMap.newKeySet();
  /**
   * Counts the signs that due jobs may have appeared (store events, timed wake-ups, rescues, polls,
   * wakeUp()). A shared claim that came back short records the count it was sent under: until the
   * count moves on, the queue is known empty and the loop does not claim again (it would spin).
   */
  private final AtomicLong workSeen = new AtomicLong();
  /**
   * Whether the store keeps limits: then a finished attempt counts as a sign of due work, since a
   * claim that came back short may have been held back by a limit that the attempt's end made room
   * in (without this, the loop would wait for the next poll). Set at start.
   */
  private volatile boolean limitsKept;
  private volatile long drainedAt = -1;
  private final WakeSignal signal = new WakeSignal();
  /** A moving average of how long generators run here, or -1 before the first; decides claiming ahead. */
  private volatile long averageRunNanos = -1;
  private final WakeSchedule wakes;
  private final StoreOutageLog outage;

  private Lifecycle lifecycle = Lifecycle.NEW;
  private volatile boolean stopping;
  private @Nullable Thread loopThread;
  private @Nullable Subscription subscription;
  private @Nullable WakeUpHints wakeUpHints;

  /** A worker that is not started yet; builds its thread pools but starts no thread. */
  public WorkerRuntime(JobStore store, Clock clock, GeneratorRegistry registry, WorkerConfig config) {
    this.store = store;
    this.clock = clock;
    this.config = config;
    this.runner = new AttemptRunner(store, clock, registry, config);
    this.listener = runner.listener();
    this.threads = new WorkerThreads(config.workerId());
    this.timer = new ScheduledThreadPoolExecutor(2, threads.factory("timer"));
    this.timer.setRemoveOnCancelPolicy(true);
    if (config.executor() != null) {
      this.executor = config.executor();
      this.ownExecutor = null;
    } else {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              config.concurrency(), config.concurrency(), 30, TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(), threads.factory("job"));
      pool.allowCoreThreadTimeOut(true);
      this.executor = pool;
      this.ownExecutor = pool;
    }
    this.planner = new ClaimPlanner(config);
    this.buffer = new ClaimBuffer(config.concurrency());
    this.writeAllowance = writeAllowance(config.concurrency(), config.claimBatchSize());
    this.claimExecutor =
        new ThreadPoolExecutor(
            MAX_CLAIMS_IN_FLIGHT, MAX_CLAIMS_IN_FLIGHT, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads.factory("claim"));
    this.claimExecutor.allowCoreThreadTimeOut(true);
    this.wakes = new WakeSchedule(clock, timer, this::newWork);
    this.outage = new StoreOutageLog(LOG, config.workerId());
  }

  /** Starts the loop and the timers. Idempotent while running. */
  public synchronized void start() {
    if (lifecycle == Lifecycle.RUNNING) {
      return;
    }
    if (lifecycle == Lifecycle.CLOSED) {
      throw new JobException("worker " + config.workerId() + " is closed; build a new JobWorker to start again");
    }
    limitsKept = store.capabilities().contains(StoreCapability.LIMITS);
    subscription = store.subscribe(EventSubscription.allOwners().kinds(WORKER_EVENTS), this::onEvent);
    // Another process's hint wakes the loop at once; its CREATED event, read from the log after
    // the hint, would wake it again a round trip or two later (and claims nothing new then).
    wakeUpHints = store.onWakeUpHint(this::newWork);
    runner.startCompletionWriter(threads.factory("writer"),
        config.keepLimitSlots() && limitsKept && !planner.sharedTypes().isEmpty() ? new SlotHandOn() : null, timer);
    lifecycle = Lifecycle.RUNNING;
    long heartbeat = config.heartbeatInterval().toNanos();
    timer.scheduleWithFixedDelay(guarded("heartbeat", this::heartbeat), heartbeat, heartbeat, TimeUnit.NANOSECONDS);
    timer.scheduleWithFixedDelay(
        guarded("rescue", this::rescue), 0, config.rescueInterval().toNanos(), TimeUnit.NANOSECONDS);
    Thread loop = threads.factory("loop").newThread(this::loop);
    loopThread = loop;
    loop.start();
    LOG.info(
        "worker {} started: types {}, concurrency {}, lease {} ms, poll {} ms",
        config.workerId(), planner.types(), config.concurrency(), config.leaseDuration().toMillis(),
        config.pollInterval().toMillis());
  }

  /** Started and not (being) closed. */
  public synchronized boolean isRunning() {
    return lifecycle == Lifecycle.RUNNING && !stopping;
  }

  /** Attempts whose generator runs now. */
  public int runningCount() {
    return running.generating();
  }

  /** Looks for due jobs now. */
  public void wakeUp() {
    newWork();
  }

  /** Due jobs may have appeared: wake the loop, and let it claim even if the queue was empty. */
  private void newWork() {
    workSeen.incrementAndGet();
    signal.signal();
  }

  private Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        outage.failed(what, e);
        listener.onStoreError(what, e);
      } catch (Error e) {
        LOG.error("worker {}: {} failed", config.workerId(), what, e);
      }
    };
  }

  // ---- claiming ----

  private void loop() {
    long pollNanos = config.pollInterval().toNanos();
    long lastPoll = System.nanoTime();
    while (!stopping) {
      if (System.nanoTime() - lastPoll >= pollNanos) {
        // The poll: look again even where the queue was empty (a notification may have been missed).
        workSeen.incrementAndGet();
        lastPoll = System.nanoTime();
      }
      long wait = pollNanos;
      try {
        wait = Math.min(wait, claimWhileCapacity());
      } catch (RuntimeException e) {
        outage.failed("claim", e);
        listener.onStoreError("claim", e);
      }
      try {
        signal.await(wait);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Claims and launches until capacity is full or nothing is due. The types claimed together are
   * claimed on the claim threads, up to {@link #MAX_CLAIMS_IN_FLIGHT} claims at once, their limits
   * reserved until their jobs are launched, so that the store's round trip of one claim overlaps
   * the next; types with their own limit or pacing are claimed here, one claim at a time.
   *
   * @return how long pacing wants the loop to wait at most
   */
  private long claimWhileCapacity() {
    while (!stopping) {
      long now = System.nanoTime();
      int reserved = sharedReserved.get();
      ClaimPlanner.Plan plan =
          planner.plan(running.busy() + reserved + writeBacklogExcess(), running.busyPerType(), now, prefetch(),
              buffer.size() + reserved);
      boolean claimed = false;
      for (ClaimPlanner.Group group : plan.groups()) {
        if (planner.isShared(group)) {
          // claimAsync refuses when MAX_CLAIMS_IN_FLIGHT are on their way (reserveShared checks it)
          if (drainedAt != workSeen.get() && claimAsync(group)) {
            claimed = true;
            break;
          }
          continue;
        }
        // Reserved like the shared claims, so that a claim going with completions meanwhile
        // cannot take the same room.
        int limit = reserveShared(group.limit(), 0, false);
        if (limit == 0) {
          continue;
        }
        List<Job> jobs;
        try {
          jobs = store.claim(config.claimRequest(group.types(), limit));
          outage.succeeded();
          if (!jobs.isEmpty()) {
            launch(jobs);
          }
        } finally {
          sharedReserved.addAndGet(-limit);
        }
        if (!jobs.isEmpty()) {
          // Capacity changed: plan afresh rather than over-claim with the other groups.
          claimed = true;
          break;
        }
      }
      if (!claimed) {
        return plan.pacingWaitNanos();
      }
    }
    return Long.MAX_VALUE;
  }

  /**
   * Reserves up to {@code wanted} of the capacity left, {@code beyond} the concurrency included
   * (claiming ahead): checked and taken in one step, so that the loop's claims and those that go with
   * completions never take the same room twice. A claim {@code inFlight} (sent off the loop's thread)
   * also takes one of the {@link #MAX_CLAIMS_IN_FLIGHT}, in the same step. {@return how many were
   * reserved, 0 for none}
   */
  private int reserveShared(int wanted, int beyond, boolean inFlight) {
    synchronized (reservations) {
      if (inFlight && claimsInFlight.get() >= MAX_CLAIMS_IN_FLIGHT) {
        return 0;
      }
      int free = config.concurrency() + beyond - running.busy() - sharedReserved.get() - writeBacklogExcess();
      int n = Math.min(wanted, free);
      if (n <= 0) {
        return 0;
      }
      sharedReserved.addAndGet(n);
      if (inFlight) {
        claimsInFlight.incrementAndGet();
      }
      return n;
    }
  }

  /**
   * Claims the shared group on a claim thread; what it may bring stays reserved until its jobs are
   * launched. {@return whether a claim was sent (else the room was taken meanwhile)}
   */
  private boolean claimAsync(ClaimPlanner.Group group) {
    int limit = reserveShared(group.limit(), prefetch(), true);
    if (limit == 0) {
      return false;
    }
    long seen = workSeen.get();
    try {
      claimExecutor.execute(() -> {
        boolean full = false;
        try {
          List<Job> jobs =
              store.claim(config.claimRequest(group.types(), limit));
          outage.succeeded();
          full = jobs.size() == limit;
          if (!jobs.isEmpty()) {
            launch(jobs);
          }
        } catch (RuntimeException e) {
          outage.failed("claim", e);
          listener.onStoreError("claim", e);
        } finally {
          if (!full) {
            // Fewer jobs than asked for: the queue was empty as of what the loop had seen.
            drainedAt = Math.max(drainedAt, seen);
          }
          sharedReserved.addAndGet(-limit);
          claimsInFlight.decrementAndGet();
          signal.signal();
        }
      });
    } catch (RejectedExecutionException closing) {
      sharedReserved.addAndGet(-limit);
      claimsInFlight.decrementAndGet();
    }
    return true;
  }

  /**
   * The claim that goes with a batch of completions when the last claim came back short, for a
   * worker built with {@code keepLimitSlots(true)}: in a store with limits, the room that the
   * completions make under a binding limit is then taken in the same store call by this worker,
   * instead of standing empty for a round trip or two until a claim finds it (and every claimer in
   * flight queues for it). While claims come back full, the loop claims anyway and the completions
   * go alone.
   */
  private final class SlotHandOn implements CompletionBatcher.ClaimRider {
    /** workSeen when the claim was reserved; used on the writer thread only. */
    private long seen;

    @Override
    public @Nullable ClaimRequest reserve() {
      long now = workSeen.get();
      if (stopping || drainedAt != now) {
        return null;
      }
      Set<String> types = planner.sharedTypes();
      // All the room there is, not just the completions' slots: a claim that comes back short then
      // says that nothing more can start, and the loop stays idle (asking for exactly the freed
      // slots, every hand-on would come back full and send the loop claiming after it in vain).
      int n = reserveShared(config.claimBatchSize(), 0, true);
      if (n == 0) {
        return null;
      }
      seen = now;
      return config.claimRequest(types, n);
    }

    @Override
    public void claimed(ClaimRequest request, CompletedAndClaimed result, Set<Lease> leases) {
      try {
        RuntimeException failure = result.claimFailure();
        if (failure != null) {
          outage.failed("claim", failure);
          listener.onStoreError("claim", failure);
          workSeen.incrementAndGet(); // the loop claims instead
          return;
        }
        outage.succeeded();
        List<Job> jobs = result.claimed();
        if (!jobs.isEmpty()) {
          launch(jobs);
          if (stopping) {
            releaseBuffered("the worker is stopping before it started", null);
          }
        }
        if (jobs.size() == request.limit()) {
          workSeen.incrementAndGet(); // more may be due
        } else {
          drainedAt = Math.max(drainedAt, seen);
          handedOn.addAll(leases);
        }
      } finally {
        release(request);
      }
    }

    @Override
    public void failed(ClaimRequest request) {
      release(request);
    }

    private void release(ClaimRequest request) {
      sharedReserved.addAndGet(-request.limit());
      claimsInFlight.decrementAndGet();
      signal.signal();
    }
  }

  /**
   * How many finished attempts may wait for their outcome write before claiming slows down: two
   * rounds of the concurrency or of a claim batch, whichever is larger, and at least {@link
   * #MIN_WRITE_ALLOWANCE}.
   */
  static int writeAllowance(int concurrency, int claimBatchSize) {
    return Math.max(MIN_WRITE_ALLOWANCE, 2 * Math.max(concurrency, claimBatchSize));
  }

  /** The most jobs {@link #prefetch()} ever lets the worker claim beyond its concurrency: one claim batch. */
  static int maxPrefetch(int claimBatchSize) {
    return claimBatchSize;
  }

  /**
   * The most leases a worker holds at once: its concurrency, the jobs claimed ahead ({@link
   * #maxPrefetch}) and the finished attempts whose write is pending ({@link #writeAllowance}). The
   * claims in flight are reserved within it (see {@link #claimWhileCapacity()}), so they add nothing.
   */
  static int maxLeasesHeld(int concurrency, int claimBatchSize) {
    return concurrency + maxPrefetch(claimBatchSize) + writeAllowance(concurrency, claimBatchSize);
  }

  /**
   * Attempts whose outcome waits to be written beyond {@link #writeAllowance}, counted as busy, so
   * that claiming never outruns the completion writer: without this, a store whose claims are
   * cheaper than its completions would let leases pile up without bound (and every heartbeat
   * carry them all).
   */
  private int writeBacklogExcess() {
    // One read of both counts: read apart, a claim landing between them would hide its jobs from
    // the backlog and let the next plan claim up to a batch beyond maxLeasesHeld.
    return Math.max(0, running.writing() - writeAllowance);
  }

  /**
   * How many jobs may be claimed beyond the concurrency. A buffered job holds its lease while it
   * waits for a slot, which other workers cannot use; so claim ahead only as far as a job would wait
   * about {@link #PREFETCH_WAIT_NANOS} (the average run time times its place in the line, over the
   * concurrency), and never more than a claim batch. Long jobs (AI generation) thus get none.
   */
  int prefetch() {
    long average = averageRunNanos;
    if (average < 0) {
      return 0;
    }
    long fits = PREFETCH_WAIT_NANOS * config.concurrency() / Math.max(1, average);
    return (int) Math.min(maxPrefetch(config.claimBatchSize()), fits);
  }

  private void launch(List<Job> jobs) {
    List<Attempt> attempts = new ArrayList<>(jobs.size());
    long now = System.nanoTime();
    for (Job job : jobs) {
      planner.started(job.type(), now);
      Attempt a = runner.newAttempt(job, timer, null);
      running.add(a);
      attempts.add(a);
    }
    int tasks = buffer.addAll(attempts);
    for (int i = 0; i < tasks; i++) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        buffer.taskNotStarted();
        releaseBuffered("the executor refused the attempt", e);
      }
    }
  }

  /** Gives back every buffered job, without running it (shutdown, refused executor). */
  private void releaseBuffered(String why, @Nullable Exception cause) {
    for (Attempt a : buffer.takeAll()) {
      JobMdc.run(a.job(), () -> {
        if (cause != null) {
          LOG.error("job {}: {}; releasing it", a.job().id(), why, cause);
        } else {
          LOG.info("job {}: {}; releasing it", a.job().id(), why);
        }
      });
      a.release();
      runner.run(a, () -> running.generatorDone(a), () -> running.remove(a));
    }
  }

  /** A drain task: runs buffered attempts on this thread until none is left. */
  private void drain() {
    boolean retired = false;
    try {
      while (true) {
        Attempt a = buffer.pollOrRetire(stopping);
        if (a == null) {
          retired = true;
          signal.signal();
          return;
        }
        runAttempt(a);
        if (buffer.size() <= prefetch() / 2) {
          signal.signal();
        }
      }
    } finally {
      if (!retired) {
        buffer.taskNotStarted();
        signal.signal();
      }
    }
  }

  private void runAttempt(Attempt a) {
    running.started(a);
    long start = System.nanoTime();
    try {
      a.timeoutTask(timer.schedule(() -> onTimeout(a), a.timeout().toNanos(), TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException closing) {
      // the timer is shut down: close() is interrupting attempts anyway
    }
    runner.run(a, () -> {
      a.cancelTimeoutTask();
      running.generatorDone(a);
      long took = System.nanoTime() - start;
      long average = averageRunNanos;
      averageRunNanos = average < 0 ? took : average + (took - average) / 8;
    }, () -> {
      running.remove(a);
      if (limitsKept && !handedOn.remove(a.lease())) {
        workSeen.incrementAndGet(); // many ends before the next claim still make one claim
      }
      if (writeBacklogExcess() == 0) {
        signal.signal(); // a loop held back by the backlog may claim again
      }
    });
  }

  private void onTimeout(Attempt a) {
    if (a.timeOut()) {
      JobMdc.run(a.job(), () -> {
        LOG.warn("job {} attempt {} ran past its timeout of {} ms; interrupting it", a.job().id(), a.lease().attempt(), a.timeout().toMillis());
      });
    }
  }

  // ---- store events ----

  private void onEvent(JobEvent event) {
    switch (event.kind()) {
      case CREATED, RETRY_SCHEDULED -> {
        abandonIfTakenAway(event);
        if (stopping || !config.types().contains(event.type())) {
          return;
        }
        Instant runAt = event.runAt();
        if (runAt == null) {
          newWork();
        } else {
          wakes.wakeAt(runAt);
        }
      }
      case CANCEL_REQUESTED -> {
        Attempt a = attemptOf(event);
        if (a != null) {
          requestCancel(a);
        }
      }
      case FAILED, CANCELLED -> abandonIfTakenAway(event);
      default -> {}
    }
  }

  private @Nullable Attempt attemptOf(JobEvent event) {
    return running.get(new Lease(event.jobId(), config.workerId(), event.attempt()));
  }

  /**
   * The job of an attempt still RUNNING here left PROCESSING: another worker rescued it (our own
   * writes happen only after the attempt left RUNNING). Stop at once rather than at the next
   * heartbeat.
   */
  private void abandonIfTakenAway(JobEvent event) {
    Attempt a = attemptOf(event);
    if (a != null && a.abandon()) {
      JobMdc.run(a.job(), () -> {
        LOG.warn("job {}: lease lost ({} by another worker); interrupting attempt {}", a.job().id(), event.kind(), a.lease().attempt());
      });
    }
  }

  private void requestCancel(Attempt a) {
    if (!a.isCancelRequested()) {
      JobMdc.run(a.job(), () -> {
        LOG.info("job {}: cancellation requested; interrupting the attempt", a.job().id());
      });
    }
    a.requestCancel();
  }

  // ---- leases ----

  private void heartbeat() {
    List<Attempt> live = running.snapshot();
    live.removeIf(a -> a.state() == Attempt.State.ABANDONED);
    if (live.isEmpty()) {
      return;
    }
    List<Lease> leases = new ArrayList<>(live.size());
    live.forEach(a -> leases.add(a.lease()));
    long sentAt = System.nanoTime();
    HeartbeatResult result;
    try {
      result = store.heartbeat(leases, config.leaseDuration());
    } catch (RuntimeException e) {
      outage.failed("heartbeat of " + leases.size() + " leases", e);
      listener.onStoreError("heartbeat", e);
      abandonExpired(live);
      return;
    }
    outage.succeeded();
    long validUntil = sentAt + config.leaseDuration().toNanos();
    for (Attempt a : live) {
      if (result.lost().contains(a.job().id())) {
        if (a.abandon()) {
          JobMdc.run(a.job(), () -> {
            LOG.warn("job {}: lease lost (rescued or taken over); interrupting attempt {}", a.job().id(), a.lease().attempt());
          });
        }
      } else {
        a.leaseValidUntilNanos(validUntil);
        if (result.cancelRequested().contains(a.job().id())) {
          requestCancel(a);
        }
      }
    }
  }

  /** Heartbeats fail: once a lease has surely expired, another worker may run the job, so stop ours. */
  private void abandonExpired(List<Attempt> live) {
    long now = System.nanoTime();
    for (Attempt a : live) {
      if (now - a.leaseValidUntilNanos() > 0 && a.abandon()) {
        JobMdc.run(a.job(), () -> {
          LOG.warn("job {}: lease expired while heartbeats failed; interrupting attempt {}", a.job().id(), a.lease().attempt());
        });
      }
    }
  }

  private void rescue() {
    List<Job> rescued = store.rescueExpired(RESCUE_BATCH);
    outage.succeeded();
    for (Job job : rescued) {
      JobMdc.run(job, () -> {
        LOG.warn("job {} rescued from an expired lease: now {} ({})", job.id(), job.status(), job.errorMessage());
      });
      listener.onRescued(job);
    }
    if (!rescued.isEmpty()) {
      newWork();
    }
  }

  // ---- shutdown ----

  /**
   * Stops claiming, lets running attempts finish within the grace period, then interrupts the rest
   * and releases their leases as their generators stop, and ends every thread of this worker.
   */
  public void close() {
    synchronized (this) {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      boolean started = lifecycle == Lifecycle.RUNNING;
      lifecycle = Lifecycle.CLOSED;
      stopping = true;
      if (!started) {
        shutdownThreads();
        return;
      }
    }
    signal.signal();
    boolean interrupted = false;
    try {
      awaitDrained();
    } catch (InterruptedException e) {
      interrupted = true;
      running.snapshot().forEach(Attempt::release);
    } finally {
      Subscription s = subscription;
      if (s != null) {
        s.close();
      }
      WakeUpHints h = wakeUpHints;
      if (h != null) {
        h.close();
      }
      shutdownThreads();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("worker {} stopped", config.workerId());
  }

  private void awaitDrained() throws InterruptedException {
    long graceEnd = System.nanoTime() + config.shutdownGrace().toNanos();
    Thread loop = loopThread;
    if (loop != null) {
      TimeUnit.NANOSECONDS.timedJoin(loop, Math.max(1, graceEnd - System.nanoTime()));
      loop.interrupt();
    }
    // Claims on their way land in the buffer; then the jobs claimed ahead, not started, go back at once.
    claimExecutor.shutdown();
    claimExecutor.awaitTermination(Math.max(1, graceEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
    releaseBuffered("the worker is stopping before it started", null);
    int left = running.size();
    if (left > 0) {
      LOG.info("worker {} stopping: waiting up to {} ms for {} running jobs", config.workerId(), config.shutdownGrace().toMillis(), left);
    }
    if (running.awaitEmpty(graceEnd)) {
      return;
    }
    runner.stopRetryingOutcomes();
    for (Attempt a : running.snapshot()) {
      if (a.release()) {
        JobMdc.run(a.job(), () -> {
          LOG.info("job {}: grace period over; interrupting it to release its lease", a.job().id());
        });
      }
    }
    if (!running.awaitEmpty(System.nanoTime() + INTERRUPT_WAIT_NANOS)) {
      for (Attempt a : running.snapshot()) {
        JobMdc.run(a.job(), () -> {
          LOG.warn(
              "job {}: its generator ignored the interrupt; its lease will expire and another worker will rescue it",
              a.job().id());
        });
      }
    }
  }

  private void shutdownThreads() {
    runner.stopRetryingOutcomes(); // before the timer goes: what waits on it is given up, not dropped
    try {
      runner.closeCompletionWriter(THREAD_JOIN_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    claimExecutor.shutdownNow();
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
    try {
      List<Thread> alive = threads.joinAll(System.nanoTime() + THREAD_JOIN_NANOS);
      if (!alive.isEmpty()) {
        LOG.warn("worker {}: {} threads still alive after close: {}", config.workerId(), alive.size(), alive);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
