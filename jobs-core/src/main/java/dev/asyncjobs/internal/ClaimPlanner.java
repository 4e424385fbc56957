package dev.asyncjobs.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides what the next claims may ask for, given free capacity, per-type limits and pacing.
 *
 * <p>Types without a limit or pacing are claimed together, so that the store's priority order holds
 * across them. A type with its own concurrency limit or pacing is claimed in its own request, never
 * for more than it may start. The order of the requests rotates, so that no type starves another.
 * Used only by the claim loop's thread.
 */
final class ClaimPlanner {
  /** One claim request: these types, at most this many jobs. */
  record Group(Set<String> types, int limit) {}

  /** The requests to make now, and how long until pacing lets a blocked type start again. */
  record Plan(List<Group> groups, long pacingWaitNanos) {}

  private final int concurrency;
  private final int batchSize;
  private final Map<String, Integer> typeConcurrency;
  private final Map<String, Long> pacingNanos = new HashMap<>();
  private final Map<String, Long> nextStartNanos = new HashMap<>();
  private final Set<String> sharedTypes = new TreeSet<>();
  private final List<String> ownTypes = new ArrayList<>();
  private int rotation;

  ClaimPlanner(WorkerConfig config) {
    this.concurrency = config.concurrency();
    this.batchSize = config.claimBatchSize();
    this.typeConcurrency = config.typeConcurrency();
    config.pacing().forEach((type, d) -> pacingNanos.put(type, d.toNanos()));
    for (String type : new TreeSet<>(config.types())) {
      if (typeConcurrency.containsKey(type) || pacingNanos.containsKey(type)) {
        ownTypes.add(type);
      } else {
        sharedTypes.add(type);
      }
    }
  }

  /**
   * The claims to make with {@code running} attempts running ({@code runningByType} of each type),
   * without claiming ahead.
   */
  Plan plan(int running, Map<String, Integer> runningByType, long nowNanos) {
    return plan(running, runningByType, nowNanos, 0, 0);
  }

  /**
   * The claims to make with {@code busy} attempts claimed and not yet finished ({@code busyByType}
   * of each type), {@code buffered} of them still waiting for a slot.
   *
   * <p>Types claimed together may be claimed {@code prefetch} beyond the concurrency, into the
   * worker's claim buffer, so that its threads have the next jobs at hand while the next claim is
   * on its way; such a claim is made only once it can take at least half a batch (or nothing is
   * buffered), so that a busy worker makes few, full claims. Types with their own limit or pacing
   * are never claimed ahead.
   */
  Plan plan(int busy, Map<String, Integer> busyByType, long nowNanos, int prefetch, int buffered) {
    int free = concurrency - busy;
    int sharedLimit = Math.min(batchSize, free + prefetch);
    if (free <= 0 && sharedLimit <= 0) {
      return new Plan(List.of(), Long.MAX_VALUE);
    }
    List<Group> groups = new ArrayList<>();
    int minShared = prefetch > 0 ? Math.max(1, Math.min(batchSize, concurrency + prefetch) / 2) : 1;
    if (!sharedTypes.isEmpty() && sharedLimit > 0 && (sharedLimit >= minShared || buffered == 0)) {
      groups.add(new Group(Set.copyOf(sharedTypes), sharedLimit));
    }
    long pacingWait = Long.MAX_VALUE;
    for (String type : ownTypes) {
      int limit = Math.min(batchSize, free);
      Integer cap = typeConcurrency.get(type);
      if (cap != null) {
        limit = Math.min(limit, cap - busyByType.getOrDefault(type, 0));
      }
      Long next = nextStartNanos.get(type);
      if (pacingNanos.containsKey(type)) {
        if (next != null && next - nowNanos > 0) {
          pacingWait = Math.min(pacingWait, next - nowNanos);
          continue;
        }
        limit = Math.min(limit, 1);
      }
      if (limit > 0) {
        groups.add(new Group(Set.of(type), limit));
      }
    }
    if (groups.size() > 1) {
      int shift = Math.floorMod(rotation++, groups.size());
      List<Group> rotated = new ArrayList<>(groups.subList(shift, groups.size()));
      rotated.addAll(groups.subList(0, shift));
      groups = rotated;
    }
    return new Plan(groups, pacingWait);
  }

  /** {@return the types claimed together, empty when every type has its own limit or pacing} */
  Set<String> sharedTypes() {
    return Set.copyOf(sharedTypes);
  }

  /** Whether {@code group} is the one of the types claimed together (the one that may claim ahead). */
  boolean isShared(Group group) {
    return !sharedTypes.isEmpty() && group.types().equals(sharedTypes);
  }

  /** A job of {@code type} was claimed at {@code nowNanos}: start the pacing interval. */
  void started(String type, long nowNanos) {
    Long interval = pacingNanos.get(type);
    if (interval != null) {
      nextStartNanos.put(type, nowNanos + interval);
    }
  }

  /** Every type this planner claims, for log lines. */
  Set<String> types() {
    Set<String> all = new LinkedHashSet<>(sharedTypes);
    all.addAll(ownTypes);
    return all;
  }
}
