package dev.asyncjobs;

/** Receives job events. Called on a dispatcher thread: return quickly, do not block. */
@FunctionalInterface
public interface JobEventListener {
  /** One event. An exception thrown here is logged and does not stop later events. */
  void onEvent(JobEvent event);

  /**
   * Called once when the subscription is dropped because this listener fell too far behind (its
   * bounded queue filled up). No event follows; subscribe again and re-read state to catch up.
   */
  default void onDropped(String reason) {}
}
