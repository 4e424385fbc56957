package dev.asyncjobs.spi;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobEvent;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which events of a store's log a subscription receives: those of one owner or of every owner,
 * optionally of some kinds only, starting from now or right after a sequence number the
 * subscriber saw before.
 *
 * <pre>{@code
 * EventSubscription.owner("alice")                 // alice's events from now on
 * EventSubscription.owner("alice").after(4711)     // alice's events after 4711: a resume
 * EventSubscription.allOwners()                    // every owner's (operators, metrics)
 * EventSubscription.allOwners().kinds(EnumSet.of(JobEvent.Kind.CREATED))   // a worker's wake-ups
 * }</pre>
 *
 * @param ownerId the owner whose events are delivered, or {@code null} for every owner
 * @param afterSequence deliver the events whose sequence is greater than this; {@code null} for
 *     "from now": every event appended after the subscription was made
 * @param kinds the kinds delivered; empty for every kind. The store filters them, so that a
 *     subscriber that needs a few kinds does not read the rest
 */
public record EventSubscription(@Nullable String ownerId, @Nullable Long afterSequence, Set<JobEvent.Kind> kinds) {

  /**
   * Checks that a given position is not negative, and copies the kinds.
   *
   * @param ownerId the owner whose events are delivered, or {@code null} for every owner
   * @param afterSequence deliver the events whose sequence is greater than this; {@code null} for
   *     "from now": every event appended after the subscription was made
   * @param kinds the kinds delivered; empty for every kind. The store filters them, so that a
   *     subscriber that needs a few kinds does not read the rest
   */
  public EventSubscription {
    if (afterSequence != null && afterSequence < 0) {
      throw new InvalidRequestException("after", "an event position must not be negative, was " + afterSequence);
    }
    kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
  }

  /** {@return every owner's events, from now} */
  public static EventSubscription allOwners() {
    return new EventSubscription(null, null, Set.of());
  }

  /**
   * {@return one owner's events, from now}
   *
   * @param ownerId the owner
   */
  public static EventSubscription owner(String ownerId) {
    return new EventSubscription(Objects.requireNonNull(ownerId, "ownerId"), null, Set.of());
  }

  /**
   * {@return the same subscription, resuming after {@code sequence} (0: from the start of the
   * log)}
   *
   * @param sequence the last sequence seen; 0 for the start of the log
   */
  public EventSubscription after(long sequence) {
    return new EventSubscription(ownerId, sequence, kinds);
  }

  /**
   * {@return the same subscription, of these kinds only (every kind when empty)}
   *
   * @param only the kinds delivered; empty for every kind
   */
  public EventSubscription kinds(Set<JobEvent.Kind> only) {
    return new EventSubscription(ownerId, afterSequence, only);
  }

  /**
   * {@return whether an event belongs to this subscription: its owner (when one is named) and
   * kinds}
   *
   * @param event the event
   */
  public boolean covers(JobEvent event) {
    return (ownerId == null || ownerId.equals(event.ownerId())) && (kinds.isEmpty() || kinds.contains(event.kind()));
  }
}
