package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.spi.JobIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The order of a fair claim ({@code ClaimRequest.fairBetweenOwners}): priority first, then the
 * job's turn (its owner's running jobs plus its rank among the owner's due jobs of its priority),
 * then runAt, then id.
 */
public final class FairOrder {
  private FairOrder() {}

  /** A due job and its turn. */
  private record Turn(Keys.Ready key, int turn) {}

  private static final Comparator<Turn> ORDER =
      Comparator.comparingInt((Turn t) -> -t.key().priority())
          .thenComparingInt(Turn::turn)
          .thenComparing(t -> t.key().runAt())
          .thenComparing(t -> t.key().id(), JobIds.ORDER);

  /**
   * Orders every owner's first due jobs.
   *
   * @param heads by owner, the owner's first due jobs with their ranks (as {@link OwnerQueues#heads} gives them)
   * @param running by owner, how many jobs of the claimed types it runs now; absent is none
   * @return the keys in the order a fair claim takes them
   */
  public static List<Keys.Ready> of(Map<String, List<OwnerQueues.Ranked>> heads, Map<String, Integer> running) {
    List<Turn> turns = new ArrayList<>();
    heads.forEach((owner, ranked) -> {
      int base = running.getOrDefault(owner, 0);
      for (OwnerQueues.Ranked r : ranked) {
        turns.add(new Turn(r.key(), base + r.rank()));
      }
    });
    turns.sort(ORDER);
    List<Keys.Ready> order = new ArrayList<>(turns.size());
    for (Turn t : turns) {
      order.add(t.key());
    }
    return order;
  }
}
