package dev.asyncjobs.spi;

import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Usage;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.Page;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Persistence of jobs and the atomic steps of their lifecycle. Implementations must be safe for
 * concurrent use by many threads (and, for shared databases, many processes), and must pass the
 * contract suite in {@code jobs-store-tck} ({@code JobStoreTck}). Quotas and statistics are optional
 * (see {@link StoreCapability}): their methods have defaults that throw, and a store that
 * implements them says so in {@link #capabilities()}.
 *
 * <p>All times come from {@link #clock()}. Every method that changes a job's status, progress or
 * cancel request appends the matching {@link JobEvent} to the store's event log in the same atomic
 * step as the change, with a sequence number that is greater than that of every event appended
 * before it. Subscribers read that log (see {@link #subscribe}); a store's notification mechanism,
 * if it has one, only tells them when to read, and carries nothing anybody acts on.
 *
 * <p>Worker writes name a {@link Lease}; they succeed only while the job is PROCESSING under that
 * worker and attempt, even if the lease has expired but the job has not yet been rescued. Otherwise
 * they throw {@link LeaseLostException} and change nothing.
 */
public interface JobStore extends AutoCloseable {

  /** {@return the clock of every timestamp this store writes} */
  Clock clock();

  /**
   * {@return the optional parts of the contract this store implements} The default is none: a store
   * implements {@link StoreCapability#QUOTAS} or {@link StoreCapability#STATISTICS} by overriding
   * their methods and declaring them here. Must not change over the store's life.
   */
  default Set<StoreCapability> capabilities() {
    return Set.of();
  }

  /**
   * Inserts jobs atomically, all or none, checking each owner's quota in the same atomic step.
   *
   * <p>A job whose owner already has a job with the same idempotency key is not inserted: if the
   * existing job has the same type and an equal payload (as JSON values), the existing job is
   * returned in its place and no quota is consumed; otherwise {@link IdempotencyConflictException}.
   * The remaining jobs of each owner are counted against {@code quotas.limitsFor(owner)} with {@link
   * QuotaLimits#check}, as one create call of that many jobs, and are recorded for later checks. A
   * store that does not declare {@link StoreCapability#QUOTAS} is only handed {@link
   * QuotaPolicy#unlimited()} and may ignore {@code quotas}.
   *
   * <p>With {@link StoreCapability#BUDGETS}, in the same atomic step, for each owner with remaining
   * (not idempotent) new jobs and each of its {@linkplain BudgetCheck#boundsFor bounds}: let
   * {@code counted} be what the owner's budgeted jobs created at or after the bound's window start
   * count and {@code requested} the sum of those new jobs' reservations (money for a cost bound,
   * tokens for a token bound); the insert is refused with {@link BudgetExceededException}, for the
   * first such bound in list order, when {@code counted >= value} (nothing is left) or {@code
   * counted + requested > value}. An owner whose new jobs are all idempotent replays is not checked.
   * Then each inserted job with a {@linkplain BudgetCheck#reservationOf reservation} counts it
   * from its creation on ({@link Job#budgetReserved()}).
   *
   * <p>With {@link StoreCapability#RESULT_CACHE}, a job with a {@linkplain NewJob#cached() cached
   * result} is stored by what its source (an original: neither a copy nor waiting) is at that
   * moment, checked in the same atomic step: COMPLETED, the job is a copy, COMPLETED at once with
   * the source's result; PENDING or PROCESSING, the job {@linkplain Job#waitsForAnotherJob() waits
   * for it} (PENDING at {@link CachedResult#WAITING_RUN_AT}, {@code cachedFrom} the source, never
   * claimed); anything else or gone, a plain PENDING job due at its {@code runAt}. From then on,
   * when a source completes, every job waiting for it becomes COMPLETED in the same step, with the
   * source's result, progress 100 and the source's finish time (a COMPLETED event each; what it
   * reserved against a budget counts nothing from then on); when a
   * source fails or is cancelled, for each owner, the owner's oldest job waiting for it (by id)
   * becomes a plain PENDING job due at the source's finish time and the owner's other waiting jobs
   * wait for that one instead (so a job never comes to wait for another owner's job it did not
   * join). A retry of the source changes nothing for them. A copy reserves nothing against a budget,
   * whatever the insert's reservation said.
   *
   * @param request the jobs to insert and the quota policy their owners' creates are checked
   *     against
   * @return the stored jobs, in the order of {@code request.jobs()}
   * @throws QuotaExceededException nothing stored
   * @throws BudgetExceededException nothing stored
   * @throws IdempotencyConflictException nothing stored
   */
  List<Job> insert(InsertRequest request);

  /**
   * The job with this id, of any owner.
   *
   * @param id the job's id
   * @return the job, or empty when there is none
   */
  Optional<Job> find(UUID id);

  /**
   * The jobs of these ids that exist, in any order; ids of no job are left out. For readers of the
   * event log that need the jobs behind a page of events (the webhook dispatcher) in one read
   * rather than one per event. The default calls {@link #find(UUID)} for each id; a store that can
   * read many rows at once should.
   *
   * @param ids at most {@value #MAX_FIND_ALL} distinct ids
   * @return the jobs found
   */
  default List<Job> findAll(java.util.Collection<UUID> ids) {
    List<Job> found = new java.util.ArrayList<>(ids.size());
    for (UUID id : ids) {
      find(id).ifPresent(found::add);
    }
    return found;
  }

  /** The most ids {@link #findAll} is asked for at once. */
  int MAX_FIND_ALL = 1000;

  /**
   * The job with this id if {@code ownerId} owns it. {@link JobManager} reads a user's job through
   * this. The default filters {@link #find(UUID)}; a store whose rows are scoped by owner in the
   * database (row-level security) must override it so that the owner is named in the read.
   *
   * @param ownerId the owner the job must belong to
   * @param id the job's id
   * @return the job, or empty when there is none or another owner's
   */
  default Optional<Job> find(String ownerId, UUID id) {
    return find(id).filter(job -> job.ownerId().equals(ownerId));
  }

  /**
   * The job that {@code ownerId} created with this idempotency key, if any. {@link JobManager} asks
   * before it moderates a create that carries a key, so that a replay costs no moderation call and
   * a conflicting one fails before it; {@link #insert} still decides atomically. A store scoped by
   * owner in the database must name the owner in the read. The default finds nothing (such a
   * store's replays are moderated again before its insert returns the stored job); both shipped
   * stores answer it.
   *
   * @param ownerId the owner
   * @param idempotencyKey the key of the create
   * @return the job, or empty when the owner has none with this key
   */
  default Optional<Job> findByIdempotencyKey(String ownerId, String idempotencyKey) {
    return Optional.empty();
  }

  /**
   * A page of jobs matching the query, ordered by {@code (createdAt, id)} as the query asks.
   *
   * @param query the filters, order, page size and cursor
   * @return the page, with the cursor of the next one
   */
  Page<Job> query(JobQuery query);

  /**
   * Claims up to {@code limit} due PENDING jobs ({@code runAt <= now}) of the given types, highest
   * priority first, then earliest {@code runAt}, then smallest id. Each claimed job becomes
   * PROCESSING with attempts + 1, progress 0, {@code startedAt = now}, the worker id and {@code
   * leaseUntil = now + leaseDuration}. A job is never claimed by two callers at once.
   *
   * <p>With {@link ClaimRequest#fairBetweenOwners()}, owners take turns within one priority: a
   * job's turn is how many PROCESSING jobs of the requested types its owner has, plus its rank
   * (from 1) among its owner's due jobs of those types and of its priority (by {@code runAt}, then
   * id); the order is priority first, then turn, then {@code runAt}, then id. So an owner's tenth
   * job comes after every other owner's first nine, and an owner with three jobs running waits
   * behind an owner with none even when claims take one job at a time. A store may serve this by
   * approximation only where its documentation says so.
   *
   * <p>A store with {@link StoreCapability#LIMITS} claims only what the limits on each job's names
   * ({@link NewJob#limitNames()}) let start, and skips jobs under names that are paused or backing
   * off; see {@link #defineLimit}.
   *
   * @param request the worker, the types, how many and for how long
   * @return the claimed jobs, now PROCESSING; empty when none is due
   */
  List<Job> claim(ClaimRequest request);

  /**
   * Extends to {@code now + leaseDuration} the leases this worker still holds, and reports those it
   * lost and those whose cancellation was requested.
   *
   * @param leases the leases the worker believes it holds
   * @param leaseDuration how long the extended leases hold from now
   * @return the ids of the jobs whose lease was lost and of those whose cancellation was
   *     requested
   */
  HeartbeatResult heartbeat(Collection<Lease> leases, Duration leaseDuration);

  /**
   * A worker's progress report.
   *
   * @param report the lease of the attempt, the new progress (0–100) and an optional message
   * @return the job with its new progress
   * @throws LeaseLostException the lease is gone
   * @throws InvalidRequestException progress below the current value
   */
  Job reportProgress(WorkerProgress report);

  /**
   * A progress update through the owner (an external worker calling the API). The job must be
   * PROCESSING.
   *
   * @param update the owner, the job's id, the new progress (0–100) and an optional message
   * @return the job with its new progress
   * @throws JobNotFoundException unknown id or another owner's job
   * @throws IllegalJobStateException the job is not PROCESSING
   * @throws InvalidRequestException progress below the current value
   */
  Job updateProgress(OwnerProgress update);

  /**
   * Completes an attempt: COMPLETED with the result, progress 100, {@code finishedAt = now}, lease
   * cleared. If cancellation was requested meanwhile the job becomes CANCELLED instead and the
   * result is dropped.
   *
   * @param completion the lease of the attempt, its result (JSON text) and how long it ran
   * @return the job after the change: COMPLETED, or CANCELLED
   * @throws LeaseLostException the lease is gone; nothing written
   */
  Job complete(Completion completion);

  /**
   * Completes several attempts at once, each exactly as {@link #complete} would. A store that can
   * should do it in one atomic step and one round trip (workers batch completions through it).
   * Completions whose lease was lost are skipped, changing nothing.
   *
   * @param completions the attempts to complete, each with its lease, result and duration
   * @return the jobs after the change (COMPLETED, or CANCELLED when cancellation was requested),
   *     without those whose lease was lost
   */
  default List<Job> completeAll(List<Completion> completions) {
    List<Job> done = new java.util.ArrayList<>(completions.size());
    for (Completion c : completions) {
      try {
        done.add(complete(c));
      } catch (LeaseLostException lost) {
        // skipped: the job belongs to someone else now
      }
    }
    return done;
  }

  /**
   * Completes attempts as {@link #completeAll} does, then claims as {@link #claim} does, counting
   * the attempts just completed as ended. Workers call it when a claim of theirs came back short
   * (a limit was full, or nothing was due), so that the room their completions make under a limit
   * is taken at once by the worker that made it, instead of standing empty until some worker's next
   * claim finds it.
   *
   * <p>A store that can should commit both in one transaction and one round trip, so that no other
   * claimer sees the room in between (and queues for it in vain). The completions stand whatever
   * becomes of the claim: a claim that fails is reported in {@link CompletedAndClaimed#claimFailure()},
   * never by undoing or refusing the completions. This default completes, then claims.
   *
   * @param completions the attempts to complete, each with its lease, result and duration
   * @param claim the claim to make after them
   * @return what was completed and what was claimed
   */
  default CompletedAndClaimed completeAllThenClaim(List<Completion> completions, ClaimRequest claim) {
    List<Job> completed = completeAll(completions);
    try {
      return new CompletedAndClaimed(completed, claim(claim), null);
    } catch (RuntimeException e) {
      return new CompletedAndClaimed(completed, List.of(), e);
    }
  }

  /**
   * Ends an attempt with an error. With {@code retryAt} and attempts left ({@code attempts <
   * maxAttempts}) the job goes back to PENDING at {@code retryAt}; otherwise it becomes FAILED. If
   * cancellation was requested it becomes CANCELLED. The error is kept in {@code errorMessage}.
   *
   * @param failure the lease of the attempt, what went wrong, and when to retry ({@code null}: never)
   * @return the job after the change: PENDING, FAILED or CANCELLED
   * @throws LeaseLostException the lease is gone; nothing written
   */
  Job fail(Failure failure);

  /**
   * Appends an attempt's partial output to the event log: one event per chunk, in order, each of
   * its chunk's kind with the chunk's data and the job's current status, progress and attempt, all
   * in one atomic step and only while the lease holds (like every worker write). Output events are
   * delivered like every other event (subscriptions, {@link #readEvents}); they change nothing of
   * the job row.
   *
   * @param append the lease and the chunks
   * @throws LeaseLostException the lease is gone; nothing written
   */
  void appendOutput(OutputAppend append);

  /**
   * Appends the output of several attempts at once, each exactly as {@link #appendOutput} would:
   * a worker gathers its running attempts' pieces and writes them together, one store call per
   * interval however many jobs stream. A store that can should do it in one atomic step and one
   * round trip. An append whose lease was lost is skipped, changing nothing.
   *
   * @param appends one per attempt, each with its lease and chunks
   * @return the ids of the jobs whose lease was lost (their chunks were not appended)
   */
  default Set<UUID> appendOutputAll(List<OutputAppend> appends) {
    Set<UUID> lost = new java.util.HashSet<>();
    for (OutputAppend a : appends) {
      try {
        appendOutput(a);
      } catch (LeaseLostException e) {
        lost.add(a.lease().jobId());
      }
    }
    return lost;
  }

  /**
   * Gives a job back without counting the attempt (graceful shutdown): PENDING, due now, attempts -
   * 1. If cancellation was requested it becomes CANCELLED.
   *
   * @param lease the lease of the attempt
   * @return the job after the change: PENDING, or CANCELLED
   * @throws LeaseLostException the lease is gone; nothing written
   */
  Job release(Lease lease);

  /**
   * Ends a PROCESSING attempt as CANCELLED after the generator stopped on a cancel request.
   *
   * @param lease the lease of the attempt
   * @return the job, CANCELLED
   * @throws LeaseLostException the lease is gone; nothing written
   */
  Job acknowledgeCancel(Lease lease);

  /**
   * Cancels a job of this owner. PENDING becomes CANCELLED at once; PROCESSING is flagged with
   * {@code cancelRequested} (a CANCEL_REQUESTED event) and ends CANCELLED when its worker stops.
   * Cancelling a PROCESSING job twice is allowed and changes nothing the second time.
   *
   * @param ownerId the owner the job must belong to
   * @param jobId the job's id
   * @return the job after the change: CANCELLED, or PROCESSING with {@code cancelRequested}
   * @throws JobNotFoundException unknown id or another owner's job
   * @throws IllegalJobStateException the job is already final
   */
  Job cancel(String ownerId, UUID jobId);

  /**
   * Rescues PROCESSING jobs whose lease expired before now (a crashed worker): back to PENDING, due
   * now, when attempts are left, else FAILED; CANCELLED if cancellation was requested. The error
   * message says the attempt was abandoned and by which worker.
   *
   * @param limit the most jobs to rescue in this call
   * @return the rescued jobs after the change
   */
  List<Job> rescueExpired(int limit);

  /**
   * Deletes up to {@code limit} final jobs whose {@code finishedAt} is before {@code cutoff}, and
   * quota records older than a day. Quotas are not given back by deleting jobs.
   *
   * @param cutoff jobs that finished before this instant are deleted
   * @param limit the most jobs to delete in this call
   * @return how many jobs were deleted
   */
  int deleteFinishedBefore(Instant cutoff, int limit);

  /**
   * {@return the owner's creates in the quota windows ending now} Part of {@link
   * StoreCapability#QUOTAS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param ownerId the owner
   */
  default QuotaWindow quotaWindow(String ownerId) {
    throw missing(StoreCapability.QUOTAS, "quotaWindow");
  }

  /**
   * Forgets the owner's past creates, so that the quota starts afresh. Part of {@link
   * StoreCapability#QUOTAS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param ownerId the owner
   */
  default void resetQuota(String ownerId) {
    throw missing(StoreCapability.QUOTAS, "resetQuota");
  }

  /**
   * Per-type counts and durations, over one owner's jobs or every owner's ({@code null}), of jobs
   * created at or after {@code since} (all when {@code null}). Types without jobs are absent. Part
   * of {@link StoreCapability#STATISTICS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param ownerId the owner, or {@code null} for every owner
   * @param since the earliest creation time counted, or {@code null} for all
   * @return one entry per job type that has jobs
   */
  default List<JobStats> stats(@Nullable String ownerId, @Nullable Instant since) {
    throw missing(StoreCapability.STATISTICS, "stats");
  }

  /**
   * {@return the {@code actualDuration} of the latest {@code limit} completed jobs of a type,
   * newest first} Part of {@link StoreCapability#STATISTICS}; the default throws {@link
   * UnsupportedOperationException}.
   *
   * @param type the job type
   * @param limit the most durations to return
   */
  default List<Duration> recentDurations(String type, int limit) {
    throw missing(StoreCapability.STATISTICS, "recentDurations");
  }

  /**
   * {@return the queue of every type that has unfinished jobs, now: PENDING, due and PROCESSING
   * counts and the run time of the oldest due job} It reads only unfinished jobs, so that a
   * metrics poll stays cheap on a large table of finished ones. Types without unfinished jobs are
   * absent. Part of {@link StoreCapability#STATISTICS}; the default throws {@link
   * UnsupportedOperationException}.
   */
  default List<QueueStats> queueStats() {
    throw missing(StoreCapability.STATISTICS, "queueStats");
  }

  /**
   * Defines or replaces the bounds of the limit {@code limit.name()}, for every worker on this
   * store; a pause or back-off on that name stays as it was. Part of {@link StoreCapability#LIMITS};
   * the default throws {@link UnsupportedOperationException}.
   *
   * <p>While the name has bounds, {@link #claim} counts against them every job that falls under it
   * ({@link NewJob#limitNames()}: its type, or one of its resources). It claims a job only if, for
   * each of its names with bounds, fewer than {@link JobLimit#maxRunning()} jobs under the name are
   * PROCESSING, fewer than {@link JobLimit#maxStarts()} started under it in the last {@link
   * JobLimit#startsInterval()}, and the units reserved under it in the last {@link
   * JobLimit#unitsInterval()} plus the job's {@link NewJob#estimatedUnits()} are at most {@link
   * JobLimit#maxUnits()}; counting the jobs of the same claim, checked and counted in one atomic step
   * however many processes claim at once. Starts and units count claims made while the bound was
   * defined. A due job that does not fit is skipped, and the next one in claim order is considered.
   *
   * @param limit the bounds
   */
  default void defineLimit(JobLimit limit) {
    throw missing(StoreCapability.LIMITS, "defineLimit");
  }

  /**
   * Removes the bounds of the limit {@code name}; a pause or back-off on it stays. Part of {@link
   * StoreCapability#LIMITS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param name a limit's name
   * @return whether it had bounds
   */
  default boolean removeLimit(String name) {
    throw missing(StoreCapability.LIMITS, "removeLimit");
  }

  /**
   * Pauses or resumes claims of every job under {@code name} (a type or a resource), for every
   * worker; attempts already running go on. Resuming also ends a {@linkplain #backOff back-off}.
   * Part of {@link StoreCapability#LIMITS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param name a job type or resource
   * @param paused {@code true} to pause, {@code false} to resume
   */
  default void setPaused(String name, boolean paused) {
    throw missing(StoreCapability.LIMITS, "setPaused");
  }

  /**
   * A provider asked to wait: no job under {@code name} is claimed, by any worker, before {@code
   * until}. A later call with an earlier time does not shorten the back-off. Part of {@link
   * StoreCapability#LIMITS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param name a job type or resource
   * @param until the end of the back-off
   */
  default void backOff(String name, Instant until) {
    throw missing(StoreCapability.LIMITS, "backOff");
  }

  /**
   * Replaces the units the attempt of {@code lease} reserved under units limits when it started with
   * {@code units}, in the window they were reserved in; does nothing when it reserved none (no such
   * limit, or an attempt that ended long ago). A released or deferred attempt hands its number back,
   * so earlier starts of the job may share the number: only the latest start's reservations change.
   * Called once an attempt has ended, so the lease may be gone. Part of {@link StoreCapability#LIMITS}; the default throws {@link
   * UnsupportedOperationException}.
   *
   * @param lease the attempt (its job id and attempt number)
   * @param units what the attempt used, at least 0
   */
  default void settleUnits(Lease lease, long units) {
    throw missing(StoreCapability.LIMITS, "settleUnits");
  }

  /**
   * Adds {@code usage} to the job's {@link Job#usage()} and to the entry of the lease's attempt
   * number in {@link Job#attemptUsage()}, if the lease still holds (the job is PROCESSING under this
   * worker and attempt). The worker calls it once an attempt has ended, before the attempt's
   * outcome; it changes nothing else (no event, no {@code updatedAt}). Part of {@link
   * StoreCapability#USAGE}; the default throws {@link UnsupportedOperationException}.
   *
   * @param lease the lease the worker holds
   * @param usage what the attempt consumed, not empty
   * @throws LeaseLostException the lease no longer holds; nothing was written
   */
  default void recordUsage(Lease lease, Usage usage) {
    throw missing(StoreCapability.USAGE, "recordUsage");
  }

  /**
   * {@return the job with {@code cacheKey} that completed last, at or after {@code completedSince},
   * that is not itself a cached copy; of {@code ownerId} only, unless it is {@code null}} Part of
   * {@link StoreCapability#RESULT_CACHE}; the default throws {@link UnsupportedOperationException}.
   *
   * @param cacheKey the key ({@link NewJob#cacheKey()})
   * @param ownerId only this owner's jobs, or {@code null} for any owner's (a type whose results
   *     are shareable across owners)
   * @param completedSince the oldest completion that still counts
   */
  default Optional<Job> findCached(String cacheKey, @Nullable String ownerId, Instant completedSince) {
    throw missing(StoreCapability.RESULT_CACHE, "findCached");
  }

  /**
   * {@return the oldest job with {@code cacheKey} that has not finished (PROCESSING, or PENDING and
   * due by {@code dueBy}) and is an original (not waiting for another, not a copy); of {@code
   * ownerId} only, unless it is {@code null}} A create that finds one joins it ({@link
   * CachedResult#joining}). Part of {@link StoreCapability#RESULT_CACHE}; the default throws {@link
   * UnsupportedOperationException}.
   *
   * @param cacheKey the key ({@link NewJob#cacheKey()})
   * @param ownerId only this owner's jobs, or {@code null} for any owner's
   * @param dueBy a PENDING job counts only when its run time is not after this (one scheduled for
   *     next week is not joined by a request for now)
   */
  default Optional<Job> findRunning(String cacheKey, @Nullable String ownerId, Instant dueBy) {
    throw missing(StoreCapability.RESULT_CACHE, "findRunning");
  }

  /**
   * Replaces what job {@code jobId} counts against its owner's budgets (its reservation at create,
   * or an earlier settlement) with {@code actual}; does nothing for a job that was not budgeted or
   * whose record is gone. Called when the job has ended, with what it consumed. Part of {@link
   * StoreCapability#BUDGETS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param jobId the job
   * @param actual what it counts from now on
   */
  default void settleBudget(UUID jobId, BudgetAmount actual) {
    throw missing(StoreCapability.BUDGETS, "settleBudget");
  }

  /**
   * {@return what the owner's budgeted jobs created at or after {@code since} count, added up} Part
   * of {@link StoreCapability#BUDGETS}; the default throws {@link UnsupportedOperationException}.
   *
   * @param ownerId the owner
   * @param since the window's start, inclusive
   */
  default BudgetAmount budgetCounted(String ownerId, Instant since) {
    throw missing(StoreCapability.BUDGETS, "budgetCounted");
  }

  /**
   * {@return by type, in type order, how many jobs were created in {@code [from, to)} and what
   * their attempts consumed} Only types with such jobs appear. Part of {@link
   * StoreCapability#USAGE}; the default throws {@link UnsupportedOperationException}.
   *
   * @param ownerId only this owner's jobs, or {@code null} for every owner's (an operator's report:
   *     it reads every job of the window)
   * @param from the window's start, inclusive
   * @param to the window's end, exclusive; after {@code from}
   */
  default List<UsageTotal> usageByType(@Nullable String ownerId, Instant from, Instant to) {
    throw missing(StoreCapability.USAGE, "usageByType");
  }

  /**
   * {@return the state of every name that has bounds, is paused or is backing off now, in name
   * order} {@link LimitStatus#running()} counts PROCESSING and {@link LimitStatus#waiting()} PENDING
   * jobs under the name; the window counts are those {@link #claim} would see now. A back-off that
   * has ended shows as none. Part of {@link StoreCapability#LIMITS}; the default throws {@link
   * UnsupportedOperationException}.
   */
  default List<LimitStatus> limits() {
    throw missing(StoreCapability.LIMITS, "limits");
  }

  /**
   * Delivers the events of the log that {@code subscription} selects to {@code listener}, on a
   * thread of the store, until the subscription is closed: each event once, in sequence order, and
   * only once every event with a smaller sequence that will ever exist is known (so that a
   * subscriber that resumes after the last sequence it saw misses nothing and gets nothing twice).
   * From now ({@code afterSequence} null) means every event appended after this call returns; a
   * resume delivers the kept events after the position first, then the live ones. An owner's
   * subscription must be scoped in the store itself (a database query naming the owner, under
   * row-level security where the store's role has it), not by filtering every owner's events.
   *
   * @param subscription which events (an owner's or all) and from which position
   * @param listener called with each event, on a thread of the store
   * @return the subscription; close it to stop the delivery
   * @throws EventsPrunedException the position is before the oldest event still kept
   * @throws InvalidRequestException the position is beyond the newest event of the log
   */
  Subscription subscribe(EventSubscription subscription, JobEventListener listener);

  /**
   * Calls {@code wake}, on a thread of the store, as soon as the store hears that another process
   * may have changed jobs, before it has read what changed: a worker claims at once instead of after
   * the event log read that {@link #subscribe} waits for. A call carries nothing, may come when
   * nothing changed (any database role can send the notification a store listens to), and must only
   * ever prompt a look at the store. The default never calls: a store without such a signal (or one
   * whose writers all live in this process) relies on its events and the worker's poll.
   *
   * @param wake called for every hint; must return quickly (it runs on the store's listening thread)
   * @return closing it stops the calls
   */
  default WakeUpHints onWakeUpHint(Runnable wake) {
    java.util.Objects.requireNonNull(wake, "wake");
    return () -> {};
  }

  /**
   * Up to {@code query.limit()} events after {@code query.afterSequence()} in sequence order, of one
   * owner or of every owner, with the same guarantee as {@link #subscribe}: no event with a smaller
   * sequence than the last one returned can appear later. Fewer than the limit (maybe none) when no
   * more are settled yet; read again later for the rest.
   *
   * @param query the owner (or every owner), the position and the limit
   * @return the events, in sequence order
   * @throws EventsPrunedException the position is before the oldest event still kept
   * @throws InvalidRequestException a position beyond the newest event
   */
  List<JobEvent> readEvents(EventQuery query);

  /**
   * Deletes up to {@code limit} of the oldest events of the log that happened before {@code cutoff},
   * without blocking writers. A later subscription or read after a deleted position gets {@link
   * EventsPrunedException}.
   *
   * @param cutoff events that happened before this instant may be deleted
   * @param limit the most events to delete in this call
   * @return how many events were deleted
   */
  int pruneEvents(Instant cutoff, int limit);

  /** Releases the store's resources (pools, listener connections, threads). */
  @Override
  void close();

  /**
   * Puts a FAILED or CANCELLED job back to PENDING, due now, for an operator: its attempts so far
   * are kept and it gets at least one more ({@code maxAttempts} becomes at least {@code attempts +
   * 1}); result, progress, finish time and cancel request are cleared, the last error is kept until
   * the next attempt, and a job that had joined another ({@code cachedFrom}) runs itself. Appends
   * a RETRY_SCHEDULED event; counts against no quota or budget. Part of {@link
   * StoreCapability#ADMIN}; the default throws {@link UnsupportedOperationException}.
   *
   * @param jobId the job
   * @return the job, PENDING
   * @throws JobNotFoundException no such job
   * @throws IllegalJobStateException it is not FAILED or CANCELLED
   */
  default Job retry(UUID jobId) {
    throw missing(StoreCapability.ADMIN, "retry");
  }

  /**
   * Deletes a finished job (COMPLETED, FAILED or CANCELLED) for an operator; its events stay in the
   * log until they are pruned, and what it counted against quotas and budgets stays counted. Part
   * of {@link StoreCapability#ADMIN}; the default throws {@link UnsupportedOperationException}.
   *
   * @param jobId the job
   * @return the job as it was
   * @throws JobNotFoundException no such job
   * @throws IllegalJobStateException it has not finished (cancel it first)
   */
  default Job delete(UUID jobId) {
    throw missing(StoreCapability.ADMIN, "delete");
  }

  /**
   * {@return how many jobs finished in {@code [from, to)}, by type and by bucket of {@code bucket}
   * counted from {@code from}, in type then time order} Only buckets with finished jobs appear.
   * Part of {@link StoreCapability#ADMIN}; the default throws {@link UnsupportedOperationException}.
   *
   * @param from the first bucket's start
   * @param to the end, exclusive
   * @param bucket the bucket width, positive
   */
  default List<FinishedCount> finishedCounts(Instant from, Instant to, Duration bucket) {
    throw missing(StoreCapability.ADMIN, "finishedCounts");
  }

  /**
   * Every stored schedule, in name order. Part of {@link StoreCapability#SCHEDULES}; the default
   * throws {@link UnsupportedOperationException}.
   *
   * @return the schedules
   */
  default List<ScheduleRecord> schedules() {
    throw missing(StoreCapability.SCHEDULES, "schedules");
  }

  /**
   * Stores the schedule {@code name}: a new one with {@code nextRunAt} and no state; an existing
   * one whose definition is {@code definition} already stays as it is (every process saves its
   * schedules when it starts, and a restart must not move a tick); an existing one with another
   * definition takes this one, {@code nextRunAt} and no state. Part of {@link
   * StoreCapability#SCHEDULES}; the default throws {@link UnsupportedOperationException}.
   *
   * @param name the schedule's name
   * @param definition what the schedule does, opaque to the store (JSON written by jobs-core)
   * @param nextRunAt its first tick, if it is new or changed
   * @return the schedule as stored now
   */
  default ScheduleRecord saveSchedule(String name, String definition, Instant nextRunAt) {
    throw missing(StoreCapability.SCHEDULES, "saveSchedule");
  }

  /**
   * Removes the schedule {@code name}. Part of {@link StoreCapability#SCHEDULES}; the default
   * throws {@link UnsupportedOperationException}.
   *
   * @param name the schedule's name
   * @return whether there was one
   */
  default boolean removeSchedule(String name) {
    throw missing(StoreCapability.SCHEDULES, "removeSchedule");
  }

  /**
   * Moves the schedule {@code name} from the tick {@code from} to {@code to} and sets its state,
   * atomically, if its next run is still {@code from} (compare-and-set): of any number of processes
   * that fire the same tick, one moves it on. With {@code to} equal to {@code from} only the state
   * changes (how a task that claimed its tick saves what its run left). Part of {@link
   * StoreCapability#SCHEDULES}; the default throws {@link UnsupportedOperationException}.
   *
   * @param name the schedule's name
   * @param from the next run the caller read
   * @param to the next run from now on
   * @param state what the tick leaves for the next one (a position in the event log, say), or
   *     {@code null} for none
   * @return whether this call moved it (false: removed, changed, or another process moved it)
   */
  default boolean advanceSchedule(String name, Instant from, Instant to, @Nullable String state) {
    throw missing(StoreCapability.SCHEDULES, "advanceSchedule");
  }

  private UnsupportedOperationException missing(StoreCapability capability, String method) {
    return new UnsupportedOperationException(
        getClass().getName() + " does not implement " + method + ": it is part of the optional capability " + capability);
  }
}
