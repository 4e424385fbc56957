package dev.asyncjobs;

/** Receives job events. Called on a dispatcher thread: return quickly, do not block. */
@FunctionalInterface
public interface JobEventListener {
  /**
   * One event. Events arrive in sequence order, each once. An exception thrown here is logged and
   * does not stop later events.
   *
   * @param event the event
   */
  void onEvent(JobEvent event);

  /**
   * Called once when the subscription is dropped because this listener fell too far behind (its
   * bounded queue filled up). No event follows; subscribe again after the last sequence seen to
   * continue where it stopped.
   *
   * @param reason why it was dropped
   */
  default void onDropped(String reason) {}

  /**
   * Called once when the subscription ends because the events it was about to receive were pruned
   * from the log (it fell further behind than the event retention). No event follows; re-read the
   * jobs, then subscribe from now. By default the same as {@link #onDropped(String)}.
   *
   * @param pruned what was asked for and what the log still holds
   */
  default void onPruned(EventsPrunedException pruned) {
    onDropped(pruned.getMessage());
  }
}
