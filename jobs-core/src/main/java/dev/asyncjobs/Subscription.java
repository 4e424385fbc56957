package dev.asyncjobs;

/** A live subscription to job events; close it to stop receiving them. */
public interface Subscription extends AutoCloseable {
  /**
   * The position the subscription started from: its first event has a greater sequence. A client
   * that stores it (an SSE stream sends it with its first message) can resume from there even if no
   * event arrived.
   *
   * @return the sequence the subscription started after
   */
  long startedAfter();

  /** Stops delivery. Idempotent. */
  @Override
  void close();
}
