package dev.asyncjobs.internal;

import dev.asyncjobs.ClaimRequest;
import dev.asyncjobs.HeartbeatResult;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobStore;
import dev.asyncjobs.Lease;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.WorkerListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
  /** How long a job claimed ahead should wait for a slot, at most about. */
  private static final long PREFETCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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
  private final WakeSignal signal = new WakeSignal();
  /** A moving average of how long generators run here, or -1 before the first; decides claiming ahead. */
  private volatile long averageRunNanos = -1;
  private final WakeSchedule wakes;
  private final StoreOutageLog outage;

  private Lifecycle lifecycle = Lifecycle.NEW;
  private volatile boolean stopping;
  private @Nullable Thread loopThread;
  private @Nullable Subscription subscription;

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
    this.wakes = new WakeSchedule(clock, timer, signal::signal);
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
    subscription = store.subscribe(this::onEvent);
    runner.startCompletionWriter(threads.factory("writer"));
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
    while (!stopping) {
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

  /** Claims and launches until capacity is full or nothing is due. @return how long pacing wants the loop to wait at most */
  private long claimWhileCapacity() {
    while (!stopping) {
      long now = System.nanoTime();
      ClaimPlanner.Plan plan = planner.plan(running.busy(), running.busyPerType(), now, prefetch(), buffer.size());
      if (plan.groups().isEmpty()) {
        return plan.pacingWaitNanos();
      }
      boolean claimed = false;
      for (ClaimPlanner.Group group : plan.groups()) {
        List<Job> jobs =
            store.claim(new ClaimRequest(config.workerId(), group.types(), group.limit(), config.leaseDuration()));
        outage.succeeded();
        if (!jobs.isEmpty()) {
          launch(jobs);
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
    return (int) Math.min(config.claimBatchSize(), fits);
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
    }, () -> running.remove(a));
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
          signal.signal();
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
      signal.signal();
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
    // Jobs claimed ahead have not started: give them back at once for other workers.
    releaseBuffered("the worker is stopping before it started", null);
    int left = running.size();
    if (left > 0) {
      LOG.info("worker {} stopping: waiting up to {} ms for {} running jobs", config.workerId(), config.shutdownGrace().toMillis(), left);
    }
    if (running.awaitEmpty(graceEnd)) {
      return;
    }
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
    try {
      runner.closeCompletionWriter(THREAD_JOIN_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
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
