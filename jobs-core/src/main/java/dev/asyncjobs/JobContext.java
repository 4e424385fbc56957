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

  /**
   * Streams text as it is produced (a token, a sentence): readers of the job's events get it as
   * {@link JobEvent.Kind#TEXT_DELTA} events, in order, and over HTTP as SSE {@code delta} events,
   * resumable after a reconnect. Cheap to call per token: the worker coalesces deltas into one
   * store write per {@linkplain JobWorker.Builder#outputInterval interval}. The streamed text is
   * for watching the work; the job's result is still what {@link Generator#generate} returns. A
   * retried attempt starts afresh ({@link JobEvent.Kind#OUTPUT_RESTARTED}).
   *
   * @param delta the text that follows what was streamed before
   * @throws OutputTooLargeException the attempt's output would pass {@link
   *     JobWorker.Builder#maxOutputBytes}; nothing of the delta is kept
   * @throws JobCancelledException the owner cancelled the job
   * @throws UnsupportedOperationException this context does not stream (the default)
   */
  default void appendText(String delta) {
    throw new UnsupportedOperationException(getClass().getName() + " does not stream output");
  }

  /**
   * Streams one part of the output as soon as it is ready (one scene of a storyboard, one image of
   * four): readers get it as an {@link JobEvent.Kind#OUTPUT_PART} event (SSE {@code part}) with the
   * part written as JSON. Ordered with {@link #appendText} and bounded like it.
   *
   * @param part any value Jackson can write, typically a record
   * @throws OutputTooLargeException the attempt's output would pass the limit; nothing is kept
   * @throws IllegalArgumentException the part cannot be written as JSON
   * @throws JobCancelledException the owner cancelled the job
   * @throws UnsupportedOperationException this context does not stream (the default)
   */
  default void emitPart(Object part) {
    throw new UnsupportedOperationException(getClass().getName() + " does not stream output");
  }

  /**
   * Reports how many units (tokens, images, seconds of audio) this attempt used, in the measure of
   * its resources' {@link JobLimit#maxUnits()}. When the attempt ends, the last report replaces the
   * units reserved from {@link Generator#estimateUnits(Object)} at its start, in the window it was
   * reserved in: reporting less frees room for other attempts in that window. Without a report the
   * reservation stands.
   *
   * @param units at least 0
   * @throws IllegalArgumentException {@code units} is negative
   * @throws UnsupportedOperationException this context does not count units (the default)
   */
  default void reportUnits(long units) {
    throw new UnsupportedOperationException(getClass().getName() + " does not count units");
  }

  /**
   * Reports what this attempt consumed from a provider: tokens, images, seconds, by model. Reports
   * add up. When the attempt ends, whatever its outcome (a failed call is paid for too), the worker
   * adds the sum to the job's {@link Job#usage()} and to this attempt's entry of {@link
   * Job#attemptUsage()}, on a store with {@link dev.asyncjobs.spi.StoreCapability#USAGE}. Report
   * what the provider said it counted, not an estimate.
   *
   * @param usage what was consumed
   * @throws UnsupportedOperationException this context does not record usage (the default)
   */
  default void reportUsage(Usage usage) {
    throw new UnsupportedOperationException(getClass().getName() + " does not record usage");
  }

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
