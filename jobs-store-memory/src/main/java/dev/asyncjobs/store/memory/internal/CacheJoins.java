package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.spi.JobIds;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.BooleanSupplier;

/**
 * The bookkeeping of jobs that join an identical job still running (the result cache): by cache
 * key, the originals that have not finished, and by original, the jobs waiting for it.
 *
 * <p>Joining and ending meet on the original's waiting list: a join adds itself under the list's
 * monitor only while the original has not finished (the store sets the original's final state
 * before it {@linkplain #close closes} the list), so every waiting job is either in the list the
 * end takes or was never made a waiting job.
 */
public final class CacheJoins {
  private final ConcurrentMap<String, NavigableSet<UUID>> unfinished = new ConcurrentHashMap<>();
  private final ConcurrentMap<UUID, Waiting> waiting = new ConcurrentHashMap<>();

  /** The jobs waiting for one original, in id order; closed once it ended. */
  private static final class Waiting {
    final TreeSet<UUID> ids = new TreeSet<>(JobIds.ORDER);
    boolean closed;
  }

  /**
   * Records an original that has not finished, so that {@link #unfinished(String)} lists it.
   *
   * @param cacheKey its cache key
   * @param id its id
   */
  public void started(String cacheKey, UUID id) {
    unfinished.compute(cacheKey, (k, ids) -> {
      NavigableSet<UUID> set = ids == null ? new ConcurrentSkipListSet<>(JobIds.ORDER) : ids;
      set.add(id);
      return set;
    });
  }

  /**
   * Forgets an original that ended.
   *
   * @param cacheKey its cache key
   * @param id its id
   */
  public void ended(String cacheKey, UUID id) {
    // Atomic per key with started: a key without unfinished jobs keeps no entry.
    unfinished.computeIfPresent(cacheKey, (k, ids) -> {
      ids.remove(id);
      return ids.isEmpty() ? null : ids;
    });
  }

  /**
   * {@return the unfinished originals of a key, oldest first (a view: check each job's state)}
   *
   * @param cacheKey the key
   */
  public Iterable<UUID> unfinished(String cacheKey) {
    NavigableSet<UUID> ids = unfinished.get(cacheKey);
    return ids == null ? List.of() : ids;
  }

  /**
   * Makes {@code follower} wait for {@code original} if the original has not finished: runs {@code
   * store} (which stores the follower) and adds it to the original's list, both under the list's
   * monitor.
   *
   * @param original the job to wait for
   * @param follower the new job
   * @param originalUnfinished reads whether the original is still PENDING or PROCESSING
   * @param store stores the follower as a waiting job
   * @return false, and nothing run, when the original has finished
   */
  public boolean join(UUID original, UUID follower, BooleanSupplier originalUnfinished, Runnable store) {
    while (true) {
      Waiting w = waiting.computeIfAbsent(original, k -> new Waiting());
      synchronized (w) {
        if (w.closed) {
          continue; // closed and removed just now: the next list (or the original's end) decides
        }
        if (!originalUnfinished.getAsBoolean()) {
          if (w.ids.isEmpty()) {
            waiting.remove(original, w);
          }
          return false;
        }
        store.run();
        w.ids.add(follower);
        return true;
      }
    }
  }

  /**
   * Adds jobs to the list of {@code original}, which has not finished (a job just released to run
   * in place of one that failed): they wait for it from now on.
   *
   * @param original the job they wait for
   * @param followers their ids
   */
  public void adopt(UUID original, List<UUID> followers) {
    if (followers.isEmpty()) {
      return;
    }
    Waiting w = waiting.computeIfAbsent(original, k -> new Waiting());
    synchronized (w) {
      w.ids.addAll(followers);
    }
  }

  /**
   * Closes the list of an original that ended (the caller has already stored its final state), so
   * that no job joins it any more.
   *
   * @param original the original
   * @return the jobs that were waiting for it, in id order (check each: it may have been cancelled)
   */
  public List<UUID> close(UUID original) {
    Waiting w = waiting.remove(original);
    if (w == null) {
      return List.of();
    }
    synchronized (w) {
      w.closed = true;
      return new ArrayList<>(w.ids);
    }
  }
}
