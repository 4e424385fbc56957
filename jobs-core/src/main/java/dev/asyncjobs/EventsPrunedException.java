package dev.asyncjobs;

/**
 * A subscription or read asked for events after a position that the store's log no longer holds:
 * they were pruned after the event retention. Nothing can fill the gap, so the caller re-reads the
 * state it shows (lists its jobs again) and subscribes from now, or after {@link
 * #oldestAvailableAfter()}.
 */
public class EventsPrunedException extends JobException {
  private static final long serialVersionUID = 1L;

  /** The position asked for. */
  private final long requestedAfter;
  /** The earliest position the log can resume after. */
  private final long oldestAvailableAfter;

  /**
   * Events after {@code requestedAfter} were asked for; the log holds them only after {@code oldestAvailableAfter}.
   *
   * @param requestedAfter the position asked for
   * @param oldestAvailableAfter the earliest position the log can resume after
   */
  public EventsPrunedException(long requestedAfter, long oldestAvailableAfter) {
    super("events after " + requestedAfter + " are no longer kept (the log starts after " + oldestAvailableAfter
        + "); re-read the jobs and subscribe again");
    this.requestedAfter = requestedAfter;
    this.oldestAvailableAfter = oldestAvailableAfter;
  }

  /** {@return the position asked for} */
  public long requestedAfter() {
    return requestedAfter;
  }

  /**
   * {@return the earliest position a subscription can resume after: every later event is still
   * kept}
   */
  public long oldestAvailableAfter() {
    return oldestAvailableAfter;
  }

  @Override
  public String code() {
    return "events_pruned";
  }
}
