package dev.asyncjobs.store.memory.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * The due jobs of each type by owner, in claim order: what a fair claim reads to find every owner's
 * first jobs without walking one owner's whole backlog. A hint beside the store's ready sets, which
 * stay the one place a claim takes a job from: an entry may be briefly missing or stale, and a
 * claim checks the job itself before it starts it. An owner's set stays once made, empty or not.
 */
public final class OwnerQueues {
  private final ConcurrentMap<String, ConcurrentMap<String, NavigableSet<Keys.Ready>>> byType = new ConcurrentHashMap<>();

  /**
   * Adds a due job.
   *
   * @param type its type
   * @param owner its owner
   * @param key its claim-order key
   */
  public void add(String type, String owner, Keys.Ready key) {
    // computeIfAbsent reads without locking once the set exists: no lock shared by every claim of
    // one owner on the hot path. Sets are never dropped (dropping one safely would need that lock
    // again): an owner without due jobs costs a fair claim one isEmpty().
    byType.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(owner, o -> new ConcurrentSkipListSet<>(Keys.READY_ORDER))
        .add(key);
  }

  /**
   * Removes a job that was claimed, finished or moved.
   *
   * @param type its type
   * @param owner its owner
   * @param key the key it was added with
   */
  public void remove(String type, String owner, Keys.Ready key) {
    ConcurrentMap<String, NavigableSet<Keys.Ready>> owners = byType.get(type);
    if (owners != null) {
      NavigableSet<Keys.Ready> set = owners.get(owner);
      if (set != null) {
        set.remove(key);
      }
    }
  }

  /** A due job and its rank (from 1) among its owner's due jobs of its priority. */
  public record Ranked(Keys.Ready key, int rank) {}

  /**
   * Every owner's first due jobs of {@code types} that {@code wanted} accepts, at most {@code perOwner}
   * of each, merged across the types in claim order, each with its rank among the owner's due jobs
   * of its priority: a job {@code wanted} passes over (one too large for a limit) keeps its place in
   * the ranks, as the claim order says.
   *
   * @param types the claimed types
   * @param perOwner how many of each owner's jobs to read at most
   * @param wanted which keys can be taken (for instance, the ones whose job fits the limits)
   * @return by owner, that owner's first takeable keys in claim order
   */
  public Map<String, List<Ranked>> heads(Set<String> types, int perOwner, Predicate<Keys.Ready> wanted) {
    Map<String, Map<String, NavigableSet<Keys.Ready>>> byOwner = new HashMap<>();
    for (String type : types) {
      ConcurrentMap<String, NavigableSet<Keys.Ready>> owners = byType.get(type);
      if (owners != null) {
        owners.forEach((owner, set) -> {
          if (!set.isEmpty()) {
            byOwner.computeIfAbsent(owner, o -> new HashMap<>()).put(type, set);
          }
        });
      }
    }
    Map<String, List<Ranked>> heads = new HashMap<>();
    byOwner.forEach((owner, sets) -> {
      List<Ranked> first = new ArrayList<>(perOwner);
      int rank = 0;
      int priority = Integer.MIN_VALUE;
      for (Iterator<Keys.Ready> it = ReadyMerge.of(sets.keySet(), sets); it.hasNext() && first.size() < perOwner; ) {
        Keys.Ready key = it.next();
        if (key.priority() != priority) { // keys come priority first: a new priority starts at rank 1
          priority = key.priority();
          rank = 0;
        }
        rank++;
        if (wanted.test(key)) {
          first.add(new Ranked(key, rank));
        }
      }
      if (!first.isEmpty()) {
        heads.put(owner, first);
      }
    });
    return heads;
  }
}
