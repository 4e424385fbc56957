package dev.asyncjobs;

/**
 * What a schedule does with ticks that no process fired in time, because every worker was down or
 * the store unreachable for longer than the schedule's {@linkplain Schedule#misfireThreshold()
 * misfire threshold}. Ticks late by less than the threshold are always fired, each once.
 */
public enum MissedTicks {
  /** No job for the missed ticks; the schedule goes on with the next tick due. */
  SKIP,
  /** One job, for the newest missed tick, however many were missed (as db-scheduler and Quartz's default do). */
  RUN_ONCE
}
