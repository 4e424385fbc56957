package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/**
 * Which events of a store's log a subscription receives: those of one owner or of every owner,
 * starting from now or right after a sequence number the subscriber saw before.
 *
 * <pre>{@code
 * EventSubscription.owner("alice")                 // alice's events from now on
 * EventSubscription.owner("alice").after(4711)     // alice's events after 4711: a resume
 * EventSubscription.allOwners()                    // every owner's (operators, metrics, workers)
 * }</pre>
 *
 * @param ownerId the owner whose events are delivered, or {@code null} for every owner
 * @param afterSequence deliver the events whose sequence is greater than this; {@code null} for
 *     "from now": every event appended after the subscription was made
 */
public record EventSubscription(@Nullable String ownerId, @Nullable Long afterSequence) {

  /** Checks that a given position is not negative. */
  public EventSubscription {
    if (afterSequence != null && afterSequence < 0) {
      throw new InvalidRequestException("after", "an event position must not be negative, was " + afterSequence);
    }
  }

  /** Every owner's events, from now. */
  public static EventSubscription allOwners() {
    return new EventSubscription(null, null);
  }

  /** One owner's events, from now. */
  public static EventSubscription owner(String ownerId) {
    return new EventSubscription(java.util.Objects.requireNonNull(ownerId, "ownerId"), null);
  }

  /** The same subscription, resuming after {@code sequence} (0: from the start of the log). */
  public EventSubscription after(long sequence) {
    return new EventSubscription(ownerId, sequence);
  }

  /** Whether an event belongs to this subscription's owner (always, for every owner). */
  public boolean covers(JobEvent event) {
    return ownerId == null || ownerId.equals(event.ownerId());
  }
}
