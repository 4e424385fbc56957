package dev.asyncjobs.spi;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.QuotaPolicy;

/**
 * Optional parts of the store contract. A store declares the ones it implements in {@link
 * JobStore#capabilities()}; the contract suite runs their tests only for stores that declare them,
 * and {@link JobManager} refuses, naming the capability, what a store without it cannot serve.
 * Everything not listed here (insert, claim, leases, the lifecycle, cancellation, queries, the
 * event log) is required of every store.
 */
public enum StoreCapability {
  /**
   * Per-owner create quotas: {@link JobStore#insert} checks the {@link QuotaPolicy} it is given in
   * the same atomic step as the insert and records the creates; {@link JobStore#quotaWindow} and
   * {@link JobStore#resetQuota} read and forget them. A store without it is only ever handed {@link
   * QuotaPolicy#unlimited()}: a manager built with any other policy on it fails to build.
   */
  QUOTAS,

  /**
   * Statistics per type: {@link JobStore#stats} (counts, success rate, duration percentiles),
   * {@link JobStore#queueStats} (the unfinished jobs, for gauges) and {@link
   * JobStore#recentDurations} (which the manager learns estimated durations from). Without
   * it, {@link JobManager#stats()} throws {@link dev.asyncjobs.UnsupportedCapabilityException} and
   * estimates are the generators' own.
   */
  STATISTICS,

  /**
   * Joining the caller's transaction: {@link JobStore#insert} writes through {@link
   * InsertRequest#transaction()} when it is set, in that transaction, so that the jobs (their
   * events, quota use and wake-up hints included) appear when it commits and vanish when it rolls
   * back, and a refused insert leaves the transaction usable. A store without it is never handed a
   * transaction: {@link JobManager} refuses a create that names one, and a manager built with an
   * {@link dev.asyncjobs.EnclosingTransaction} on it fails to build.
   */
  TRANSACTIONS,

  /**
   * Limits shared by every worker ({@link dev.asyncjobs.JobLimit}), pause and resume, a provider's
   * back-off, and units reserved and settled: {@link JobStore#defineLimit}, {@link
   * JobStore#removeLimit}, {@link JobStore#setPaused}, {@link JobStore#backOff}, {@link
   * JobStore#settleUnits}, {@link JobStore#limits}, and {@link JobStore#claim} honouring them. Without
   * it, {@link dev.asyncjobs.JobManager#defineLimit} and the pause methods throw {@link
   * dev.asyncjobs.UnsupportedCapabilityException}, and a worker treats a {@link
   * dev.asyncjobs.RateLimitedException} as an ordinary retryable failure.
   */
  LIMITS,

  /**
   * Claims that take owners in turn: {@link JobStore#claim} honours {@link
   * ClaimRequest#fairBetweenOwners()} as its javadoc says. A store without it is never handed a fair
   * request: a worker built with {@link dev.asyncjobs.JobWorker.Builder#fairBetweenOwners} on it
   * fails to build.
   */
  FAIR_CLAIMS,

  /**
   * What attempts consumed: {@link JobStore#recordUsage} adds an attempt's {@link dev.asyncjobs.Usage}
   * to the job's {@link dev.asyncjobs.Job#usage()} and {@link dev.asyncjobs.Job#attemptUsage()}.
   * Without it, reported usage is dropped (the worker does not call the store) and jobs report
   * {@link dev.asyncjobs.Usage#NONE}.
   */
  USAGE,

  /**
   * Budgets per owner ({@link dev.asyncjobs.BudgetLimits}): {@link JobStore#insert} checks {@link
   * InsertRequest#budgets()} in the same atomic step as the insert and records each budgeted job's
   * reservation; {@link JobStore#settleBudget} replaces it with what the job consumed, {@link
   * JobStore#budgetCounted} adds up a window. A store without it is never handed bounds: a manager
   * built with a budget policy other than {@link dev.asyncjobs.BudgetPolicy#unlimited()} on it fails
   * to build.
   */
  BUDGETS,

  /**
   * Reused results ({@link dev.asyncjobs.ResultCache}): {@link JobStore#insert} keeps {@link
   * NewJob#cacheKey()} on the job and inserts a job with a {@link NewJob#cached()} result COMPLETED
   * at once (a CREATED and a COMPLETED event, never claimed), or waiting for a running source;
   * {@link JobStore#findCached} finds the latest completed job of a key, {@link
   * JobStore#findRunning} the oldest unfinished one. Without it, types that declare a cache run
   * every job (the manager logs it once when it is built).
   */
  RESULT_CACHE,

  /**
   * What operators need ({@link dev.asyncjobs.JobAdmin}): {@link JobStore#retry} puts a FAILED or
   * CANCELLED job back to PENDING, {@link JobStore#delete} deletes a finished job, {@link
   * JobStore#finishedCounts} counts finished jobs by type and time. Without it those methods of the
   * admin facade throw {@link dev.asyncjobs.UnsupportedCapabilityException}; search, detail,
   * cancel, pause and the queue figures work on any store.
   */
  ADMIN,

  /**
   * Schedules, the clock of recurring work: {@link JobStore#schedules}, {@link
   * JobStore#saveSchedule}, {@link JobStore#removeSchedule} and {@link JobStore#advanceSchedule},
   * shared by every process on the store. Without it, {@link dev.asyncjobs.JobSchedules} and {@link
   * dev.asyncjobs.JobWorker.Builder#schedule} throw {@link dev.asyncjobs.UnsupportedCapabilityException},
   * and each worker runs maintenance on its own instead of once per tick for all of them.
   */
  SCHEDULES
}
