package dev.asyncjobs.internal;

import dev.asyncjobs.Usage;
import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.StoreCapability;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed attempt on the calling thread and records how it ended: the part that {@code
 * JobWorker} (on its executor) and {@code ManualWorker} (on the test's thread) share.
 */
final class AttemptRunner {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.JobWorker");
  private static final int MAX_ERROR_LENGTH = 2000;
  /**
   * The most completions one store call writes: enough that a busy worker makes few round trips,
   * few enough that one statement (and one failed call, which every completion of it shares) stays
   * small.
   */
  static final int MAX_COMPLETION_BATCH = 256;

  private final JobStore store;
  private final Clock clock;
  private final GeneratorRegistry registry;
  private final WorkerConfig config;
  private final WorkerListener listener;
  private final CompletionBatcher completions;
  /** Writes refused results again; set with the completion writer (the worker runtime), else none are retried. */
  private volatile @Nullable OutcomeRetries retries;
  /** Writes every attempt's streamed output together; started with the completion writer (the worker runtime). */
  private volatile @Nullable OutputWriter outputs;

  /** A runner writing to {@code store}, timing with {@code clock}, running the registry's generators. */
  AttemptRunner(JobStore store, Clock clock, GeneratorRegistry registry, WorkerConfig config) {
    this.store = store;
    this.clock = clock;
    this.registry = registry;
    this.config = config;
    this.listener = new SafeListener(config.listeners());
    this.completions = new CompletionBatcher(store, MAX_COMPLETION_BATCH);
  }

  WorkerListener listener() {
    return listener;
  }

  WorkerConfig config() {
    return config;
  }

  /**
   * A new attempt of a just-claimed job.
   *
   * @param timer writes coalesced progress later; {@code null} to write only on reports and at the end
   * @param cancelProbe see {@link Attempt}
   */
  Attempt newAttempt(Job claimed, @Nullable ScheduledExecutorService timer, @Nullable Runnable cancelProbe) {
    Duration timeout = config.timeout(claimed.type());
    Attempt a = new Attempt(claimed, timeout, clock.instant().plus(timeout), config.leaseDuration(), cancelProbe);
    a.progress(
        new ProgressReporter(
            store, a.lease(), config.progressInterval().toNanos(), System::nanoTime, timer,
            e -> onDeferredWriteFailure(a, "progress", e)));
    a.output(
        new OutputBuffer(
            store, a.lease(), claimed.attempts() > 1, config.outputInterval().toNanos(), config.maxOutputBytes(),
            System::nanoTime, timer, e -> onDeferredWriteFailure(a, "output", e), timer == null ? null : outputs));
    return a;
  }

  /** A progress or output write made later (by the timer or the output writer) was refused. */
  private void onDeferredWriteFailure(Attempt a, String what, RuntimeException e) {
    JobMdc.run(a.job(), () -> {
      if (e instanceof LeaseLostException && a.abandon()) {
        LOG.warn("lease of job {} lost ({} refused); interrupting the attempt", a.job().id(), what);
      } else {
        LOG.warn("{} write of job {} refused: {}", what, a.job().id(), e.getMessage());
      }
    });
  }

  /**
   * Starts the writer thread of completions, so that job threads do not wait for their writes;
   * {@code rider}, when given, may add a claim to each batch (see {@link CompletionBatcher.ClaimRider});
   * a result the store refuses is written again on {@code timer} (see {@link OutcomeRetries}).
   */
  void startCompletionWriter(java.util.concurrent.ThreadFactory factory, CompletionBatcher.@Nullable ClaimRider rider,
      ScheduledExecutorService timer) {
    retries = new OutcomeRetries(timer);
    completions.startWriter(factory, rider);
    long interval = config.outputInterval().toNanos();
    if (interval > 0) { // zero: every piece is written at once, by its attempt
      OutputWriter w = new OutputWriter(store, interval);
      w.start(factory);
      outputs = w;
    }
  }

  /** The worker's grace period is over: results still waiting to be written again are given up. */
  void stopRetryingOutcomes() {
    OutcomeRetries r = retries;
    if (r != null) {
      r.stop();
    }
  }

  /** Writes the completions still queued and ends their writer thread. */
  void closeCompletionWriter(long timeoutNanos) throws InterruptedException {
    OutputWriter w = outputs;
    if (w != null) {
      w.close(timeoutNanos);
    }
    completions.close(timeoutNanos);
  }

  /**
   * Runs the attempt and records its outcome, with the job in the MDC. An attempt that was
   * abandoned or released while it waited in the claim buffer does not call the generator.
   *
   * @param generatorDone runs once the generator has returned (or was skipped), on this thread
   * @param settled runs once the outcome is written or given up; a completion is written by the
   *     writer thread when one was started, so this may run later, on that thread
   */
  void run(Attempt a, Runnable generatorDone, Runnable settled) {
    Job job = a.job();
    JobMdc.run(job, () -> {
      Outcome outcome;
      if (a.state() != Attempt.State.RUNNING) {
        outcome = new Outcome.Failure(new dev.asyncjobs.JobCancelledException(job.id()), true);
        a.progress().close();
      } else {
        LOG.info("job {} ({}) started, attempt {}/{}", job.id(), job.type(), job.attempts(), job.maxAttempts());
        listener.onStarted(job);
        outcome = execute(a);
      }
      generatorDone.run();
      finish(a, outcome, settled);
    });
  }

  /** Calls the generator on this thread. Writes nothing but progress. */
  private Outcome execute(Attempt a) {
    a.bind(Thread.currentThread());
    try {
      return generate(registry.get(a.job().type()), a);
    } finally {
      a.unbind();
      a.progress().close();
      a.output().close();
    }
  }

  private <P> Outcome generate(RegisteredGenerator<P> generator, Attempt a) {
    P payload;
    try {
      payload = generator.bind(a.job().payloadTree());
    } catch (InvalidPayloadException e) {
      // The payload was valid at create time; the generator's record changed since. Retrying
      // would bind the same text again.
      return new Outcome.Failure(
          new InvalidPayloadException(e.field(), "the stored payload does not fit the generator any more: " + e.getMessage()),
          true);
    }
    long start = System.nanoTime();
    try {
      Object result = intercepted(a.job(), () -> generator.generate(payload, new AttemptContext(a, config.sleeper())), 0);
      return new Outcome.Success(result, Duration.ofNanos(System.nanoTime() - start));
    } catch (PermanentGenerationException e) {
      return new Outcome.Failure(e, true);
    } catch (RuntimeException | Error e) {
      return new Outcome.Failure(e, false);
    }
  }

  /** Runs the interceptors from {@code index} on, the first outermost, then the generator. */
  private Object intercepted(Job job, AttemptInterceptor.Attempt generator, int index) {
    List<AttemptInterceptor> chain = config.interceptors();
    if (index == chain.size()) {
      return generator.proceed();
    }
    return chain.get(index).intercept(job, () -> intercepted(job, generator, index + 1));
  }

  /** Decides and writes the outcome, exactly once, unless the lease was lost; then {@code settled}. */
  private void finish(Attempt a, Outcome outcome, Runnable settled) {
    Attempt.State before = a.beginFinish();
    boolean later = false;
    settleUnits(a);
    recordUsage(a);
    try {
      if (before == Attempt.State.ABANDONED) {
        LOG.warn("job {} attempt {} abandoned without writing: this worker lost its lease", a.job().id(), a.lease().attempt());
        listener.onLeaseLost(a.job());
      } else if (before == Attempt.State.RELEASED) {
        release(a);
      } else {
        later = record(a, outcome, settled);
      }
    } catch (LeaseLostException e) {
      leaseLostMeanwhile(a);
    } catch (RuntimeException e) {
      notRecorded(a, e);
    } finally {
      if (!later) {
        settled.run();
      }
    }
    rethrowFatal(outcome);
  }

  /**
   * Replaces the units the attempt reserved with what its generator reported, before its outcome is
   * written (so that room a cheaper attempt leaves is free by the time its slot is). Units were used
   * whatever the outcome, a lost lease included. A failed write costs only accuracy: the
   * reservation stands.
   */
  private void settleUnits(Attempt a) {
    long units = a.reportedUnits();
    if (units >= 0) {
      settleUnits(a, units);
    }
  }

  private void settleUnits(Attempt a, long units) {
    if (!limits()) {
      return;
    }
    try {
      store.settleUnits(a.lease(), units);
    } catch (RuntimeException e) {
      LOG.warn("job {} attempt {}: could not settle its {} units; the estimate stays reserved: {}",
          a.job().id(), a.lease().attempt(), units, e.toString());
      listener.onStoreError("settleUnits", e);
    }
  }

  /**
   * Adds what the attempt reported consumed to the job, before its outcome is written, whatever
   * the outcome. A failed write (a lost lease included) loses the figures, not the outcome.
   */
  private void recordUsage(Attempt a) {
    Usage usage = a.usage();
    if (usage.isEmpty() || !store.capabilities().contains(StoreCapability.USAGE)) {
      return;
    }
    try {
      store.recordUsage(a.lease(), usage);
    } catch (RuntimeException e) {
      LOG.warn("job {} attempt {}: could not record its usage {}: {}", a.job().id(), a.lease().attempt(), usage.toJson(), e.toString());
      listener.onStoreError("recordUsage", e);
    }
  }

  /** Whether the store keeps limits: back-offs, deferred failures and settled units. Asked when needed, not at build. */
  private boolean limits() {
    return store.capabilities().contains(StoreCapability.LIMITS);
  }

  private void leaseLostMeanwhile(Attempt a) {
    LOG.warn("job {} attempt {}: outcome refused, the lease was lost meanwhile", a.job().id(), a.lease().attempt());
    listener.onLeaseLost(a.job());
  }

  private void notRecorded(Attempt a, RuntimeException e) {
    LOG.error(
        "job {} attempt {}: could not record the outcome; the lease will expire and the job will be rescued",
        a.job().id(), a.lease().attempt(), e);
    listener.onOutcomeNotRecorded(a.job(), e);
  }

  private void release(Attempt a) {
    Job after = store.release(a.lease());
    LOG.info("job {} released at shutdown (status {}); another worker can take it now", after.id(), after.status());
    listener.onReleased(after);
  }

  /** @return whether {@code settled} will be called by the completion writer (else by the caller) */
  private boolean record(Attempt a, Outcome outcome, Runnable settled) {
    Lease lease = a.lease();
    if (a.isCancelRequested()) {
      cancelled(store.acknowledgeCancel(lease));
      return false;
    }
    if (outcome instanceof Outcome.Success success) {
      String json;
      try {
        json = Json.write(success.result());
      } catch (UncheckedIOException e) {
        fail(a, new PermanentGenerationException("the result cannot be written as JSON: " + e.getMessage(), e), true);
        return false;
      }
      a.progress().flush();
      a.output().flush(); // every piece is in the log before the COMPLETED event
      Completion completion = new Completion(lease, json, success.duration());
      completions.submit(completion, new CompletionWrite(a, completion, settled));
      return true;
    }
    Outcome.Failure failure = (Outcome.Failure) outcome;
    if (a.timedOut()) {
      listener.onTimedOut(a.job(), a.timeout());
      fail(a, timeoutError(a, failure.error()), false);
    } else {
      fail(a, failure.error(), failure.permanent());
    }
    return false;
  }

  /**
   * What becomes of one completion's write: the job is completed; or the lease was lost; or the
   * store failed, and the result is kept and written again ({@link OutcomeRetries}) until one of
   * the first two, or until the worker stops.
   */
  private final class CompletionWrite implements CompletionBatcher.Callback {
    private final Attempt a;
    private final Completion completion;
    private final Runnable settled;
    /** Failed writes so far; touched by the writer thread and the timer, one after the other. */
    private volatile int failures;

    CompletionWrite(Attempt a, Completion completion, Runnable settled) {
      this.a = a;
      this.completion = completion;
      this.settled = settled;
    }

    @Override
    public void written(Job after) {
      try {
        JobMdc.run(after, () -> {
          if (failures > 0) {
            LOG.info("job {} attempt {}: its result was recorded at try {}", after.id(), a.lease().attempt(), failures + 1);
          }
          completed(after, completion.actualDuration(), a.lease());
        });
      } finally {
        settled.run();
      }
    }

    @Override
    public void refused(RuntimeException error) {
      if (error instanceof LeaseLostException) {
        if (failures == 0 || !writtenBefore()) {
          settle(() -> leaseLostMeanwhile(a));
        }
        return;
      }
      // The store failed (an outage, a read-only database): keep the result and write it again.
      // Anything else refused the result itself, and would refuse it again.
      if (error instanceof JobStoreException) {
        int tries = ++failures;
        OutcomeRetries r = retries;
        if (r != null && r.schedule(tries, () -> completions.submit(completion, this), () -> giveUp(error))) {
          listener.onStoreError("finish", error);
          if (tries == 1) {
            JobMdc.run(a.job(), () -> LOG.warn("job {} attempt {}: could not record its result ({}); keeping it and trying"
                + " again until the store takes it or another worker has the job", a.job().id(), a.lease().attempt(),
                error.getMessage()));
          }
          return;
        }
      }
      giveUp(error);
    }

    /**
     * A retry refused as a lost lease: an earlier try may have committed after all (its connection
     * died before the answer). {@return whether it did, the job then reported as written}
     */
    private boolean writtenBefore() {
      Job now;
      try {
        now = store.find(a.job().id()).orElse(null);
      } catch (RuntimeException e) {
        return false;
      }
      if (now == null || now.attempts() != a.lease().attempt()
          || (now.status() != JobStatus.COMPLETED && now.status() != JobStatus.CANCELLED)) {
        return false;
      }
      written(now);
      return true;
    }

    private void giveUp(RuntimeException error) {
      settle(() -> notRecorded(a, error));
    }

    /** Reports how the write ended, with the job in the MDC, and tells the worker it is settled. */
    private void settle(Runnable report) {
      try {
        JobMdc.run(a.job(), report);
      } finally {
        settled.run();
      }
    }
  }

  private void completed(Job after, Duration duration, Lease lease) {
    if (after.status() == JobStatus.CANCELLED) {
      cancelled(after);
    } else {
      LOG.info("job {} completed in {} ms (attempt {})", after.id(), duration.toMillis(), lease.attempt());
      listener.onCompleted(after, duration);
    }
  }

  private void fail(Attempt a, Throwable error, boolean permanent) {
    Job job = a.job();
    Duration delay = null;
    Instant retryAt = null;
    boolean deferred = false;
    if (!permanent && error instanceof RateLimitedException limited && limits()) {
      Instant until = backOff(job, limited);
      deferred = job.deferrals() < config.maxRateLimitDeferrals();
      if (a.reportedUnits() < 0) {
        settleUnits(a, 0); // a refused request used nothing: free its reservation for the others
      }
      if (deferred) {
        retryAt = until;
        delay = Duration.between(clock.instant(), until);
      }
    }
    if (!deferred && !permanent && job.attempts() < job.maxAttempts()) {
      delay = retryDelay(job, error);
      retryAt = clock.instant().plus(delay);
    }
    flushQuietly(a);
    String message = describe(error);
    Job after = store.fail(
        deferred ? Failure.deferred(a.lease(), message, retryAt) : new Failure(a.lease(), message, retryAt));
    switch (after.status()) {
      case PENDING -> {
        long millis = delay == null ? 0 : delay.toMillis();
        if (deferred) {
          LOG.info("job {}: rate limited, handed back without counting the attempt (deferral {} of at most {}), runs again in {} ms",
              after.id(), after.deferrals(), config.maxRateLimitDeferrals(), millis);
        } else {
          logAttemptError("job {} attempt {}/{} failed, retrying in {} ms: {}", after, error, millis, message);
        }
        listener.onRetryScheduled(after, error, delay == null ? Duration.ZERO : delay);
      }
      case CANCELLED -> cancelled(after);
      default -> {
        logAttemptError(
            "job {} attempt {}/{} failed for good" + (permanent ? " (permanent failure)" : "") + ": {}", after, error, null, message);
        listener.onFailed(after, error);
      }
    }
  }

  private void logAttemptError(String format, Job after, Throwable error, @Nullable Long delayMillis, String message) {
    // Expected failures (a generator's own verdict) are logged by message; anything else with its
    // stack trace, since it is probably a bug.
    Object[] args =
        delayMillis == null
            ? new Object[] {after.id(), after.attempts(), after.maxAttempts(), message}
            : new Object[] {after.id(), after.attempts(), after.maxAttempts(), delayMillis, message};
    if (isExpected(error)) {
      LOG.warn(format, args);
    } else {
      Object[] withCause = java.util.Arrays.copyOf(args, args.length + 1);
      withCause[args.length] = error;
      LOG.warn(format, withCause);
    }
  }

  private static boolean isExpected(Throwable error) {
    return error instanceof dev.asyncjobs.GenerationException || error instanceof InvalidPayloadException;
  }

  /**
   * Makes every worker on the store stop starting jobs under the refused resource (or under every
   * name of the job, when the generator did not say which) until the provider's retry-after has
   * passed. A failed write leaves only this job waiting: the others find out at their next 429.
   *
   * @return when the back-off ends
   */
  private Instant backOff(Job job, RateLimitedException limited) {
    Instant until = clock.instant().plus(limited.retryAfter());
    Set<String> names = limited.resource() != null ? Set.of(limited.resource()) : namesOf(job);
    try {
      for (String name : names) {
        store.backOff(name, until);
      }
      LOG.info("job {} ({}): rate limited, no worker starts jobs under {} before {}", job.id(), job.type(), names, until);
      listener.onRateLimited(job, names, until);
    } catch (RuntimeException e) {
      LOG.warn("job {}: could not record the back-off of {}: {}", job.id(), names, e.toString());
      listener.onStoreError("backOff", e);
    }
    return until;
  }

  /** The job's limit names: its generator's resources, or its type when it declares none. */
  private Set<String> namesOf(Job job) {
    Set<String> resources = registry.has(job.type()) ? registry.resourcesOf(job.type()) : Set.of();
    return resources.isEmpty() ? Set.of(job.type()) : resources;
  }

  /** The policy's backoff, or the failure's retry-after when that is longer. */
  Duration retryDelay(Job job, Throwable error) {
    Duration backoff = config.retryPolicy(job.type()).delay(Math.max(1, job.attempts()), config.random());
    if (error instanceof RetryableGenerationException r && r.retryAfter() != null) {
      Duration after = r.retryAfter();
      if (after.compareTo(backoff) > 0) {
        return after;
      }
    }
    return backoff;
  }

  private void cancelled(Job after) {
    LOG.info("job {} cancelled by its owner (attempt {})", after.id(), after.attempts());
    listener.onCancelled(after);
  }

  private void flushQuietly(Attempt a) {
    try {
      a.progress().flush();
      a.output().flush();
    } catch (LeaseLostException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.debug("progress flush before failure refused: {}", e.getMessage());
    }
  }

  private static RetryableGenerationException timeoutError(Attempt a, Throwable cause) {
    return new RetryableGenerationException(
        "attempt " + a.lease().attempt() + " timed out after " + a.timeout().toMillis() + " ms", null, cause);
  }

  /** The error as the job keeps it: the message of our own exceptions, else class and message. */
  static String describe(Throwable error) {
    String text =
        isExpected(error) || error instanceof dev.asyncjobs.JobException
            ? String.valueOf(error.getMessage())
            : error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH - 1) + "…";
  }

  private static void rethrowFatal(Outcome outcome) {
    if (outcome instanceof Outcome.Failure f
        && f.error() instanceof VirtualMachineError fatal
        && !(fatal instanceof StackOverflowError)) {
      throw fatal;
    }
  }
}
