package dev.asyncjobs;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Recurring work that the workers sharing a store run once per tick among them, such as the
 * built-in {@link Maintenance} or the webhook dispatcher of {@code jobs-webhooks}. Register one
 * with {@link JobWorker.Builder#task}. On a store with {@link
 * dev.asyncjobs.spi.StoreCapability#SCHEDULES} the task is held by a schedule row of its {@link
 * #name()}, and one worker wins each tick by a compare-and-set of the row's next run; the row also
 * keeps the short {@code state} each run leaves for the next (a cursor, say), so a task can resume
 * where the cluster left off. On a store without schedules every worker runs it on its own clock,
 * with no state kept between processes.
 *
 * <p>Workers that do not register a task leave its row alone, so a task runs on the workers that
 * have it.
 */
public interface ClusterTask {
  /**
   * {@return the task's name: {@value Schedule#RESERVED_PREFIX} and then a schedule name's
   * characters, so that it never meets an application's schedule}
   */
  String name();

  /** {@return how often it runs: at least 10 ms} */
  Duration interval();

  /**
   * Whether the process must win the tick before it works (one worker per tick does the work)
   * rather than after (work whose repetition is harmless but whose loss is not: a crash after the
   * work and before the compare-and-set makes another worker do the tick again, from the same
   * state). A claim-first run that outlasts its interval can overlap the next tick's run on
   * another worker, both from the same state; the state of the one that ends first is kept.
   *
   * @return true to claim the tick first
   */
  boolean claimFirst();

  /**
   * Does one tick's work. An exception leaves the tick due (it is logged and tried again).
   *
   * @param state what the previous tick left, or {@code null} on the first run (and always on a
   *     store without schedules)
   * @param now the time of the tick's run
   * @return what this tick leaves for the next (at most 4,000 characters), or {@code null}; a
   *     task that {@linkplain #claimFirst claims first} has it kept unless an overlapping run saved
   *     its own first
   */
  @Nullable String run(@Nullable String state, Instant now);
}
