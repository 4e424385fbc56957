package dev.asyncjobs;

/** A live subscription to job events; close it to stop receiving them. */
public interface Subscription extends AutoCloseable {
  /** Stops delivery. Idempotent. */
  @Override
  void close();
}
