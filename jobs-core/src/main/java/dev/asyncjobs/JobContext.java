package dev.asyncjobs;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** What a running generator knows of its job and how it talks back to the worker. */
public interface JobContext {

  /** {@return the job's id} */
  UUID jobId();

  /** {@return the job's owner} */
  String ownerId();

  /** {@return the job's type} */
  String type();

  /** {@return this attempt's number, from 1} */
  int attempt();

  /** {@return the most attempts the job may have} */
  int maxAttempts();

  /** {@return when this attempt times out; the worker interrupts it then} */
  Instant deadline();

  /**
   * Reports progress 0–100 with an optional short message. Writes are coalesced: call it as often
   * as is convenient.
   *
   * @param percent 0–100, not lower than before
   * @param message an optional short message, or {@code null}
   * @throws InvalidRequestException when {@code percent} is outside 0–100 or lower than before
   * @throws JobCancelledException when the job was cancelled
   */
  void progress(int percent, @Nullable String message);

  /**
   * Reports progress without a message.
   *
   * @param percent 0–100, not lower than before
   */
  default void progress(int percent) {
    progress(percent, null);
  }

  /** {@return whether the owner cancelled the job; a generator should stop soon after} */
  boolean isCancelled();

  /** Throws {@link JobCancelledException} when the job was cancelled. */
  default void throwIfCancelled() {
    if (isCancelled()) {
      throw new JobCancelledException(jobId());
    }
  }

  /**
   * Sleeps, waking early on cancellation (then throws {@link JobCancelledException}) or on
   * interruption (then throws {@link JobCancelledException} too, with the interrupt flag kept).
   *
   * @param duration how long to sleep
   */
  void sleep(Duration duration);
}
