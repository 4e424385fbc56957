package dev.asyncjobs.internal;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Built-in recurring work that the workers sharing a store run once per tick among them, through a
 * schedule row of a reserved name (maintenance, say).
 */
public interface ClusterTask {
  /** {@return the schedule's name, starting with {@code asyncjobs.}} */
  String name();

  /** {@return how often it runs} */
  Duration interval();

  /**
   * Whether the process must win the tick before it works (work that must not run twice at once)
   * rather than after (work whose repetition is harmless but whose loss is not).
   */
  boolean claimFirst();

  /**
   * Does one tick's work.
   *
   * @param state what the previous tick left, or {@code null}
   * @param now the time of the tick's run
   * @return what this tick leaves for the next, or {@code null}
   */
  @Nullable String run(@Nullable String state, Instant now);
}
