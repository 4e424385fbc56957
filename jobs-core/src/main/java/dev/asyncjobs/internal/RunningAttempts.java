package dev.asyncjobs.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.asyncjobs.Lease;
import org.jspecify.annotations.Nullable;

/**
 * The attempts running on one worker, counted per type, with a wait for them to drain. Keyed by
 * lease, not job id: after a lost lease the same job may be claimed again here while the abandoned
 * attempt is still stopping.
 */
final class RunningAttempts {
  private final Map<Lease, Attempt> byJob = new LinkedHashMap<>();
  private final Map<String, Integer> perType = new HashMap<>();

  synchronized void add(Attempt a) {
    byJob.put(a.lease(), a);
    perType.merge(a.job().type(), 1, Integer::sum);
  }

  synchronized void remove(Attempt a) {
    if (byJob.remove(a.lease(), a)) {
      perType.computeIfPresent(a.job().type(), (t, n) -> n == 1 ? null : n - 1);
      notifyAll();
    }
  }

  synchronized @Nullable Attempt get(Lease lease) {
    return byJob.get(lease);
  }

  synchronized int size() {
    return byJob.size();
  }

  synchronized Map<String, Integer> perType() {
    return Map.copyOf(perType);
  }

  synchronized List<Attempt> snapshot() {
    return new ArrayList<>(byJob.values());
  }

  /** Waits until none runs or the deadline ({@link System#nanoTime()}). @return whether none runs */
  synchronized boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    while (!byJob.isEmpty()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      long millis = Math.max(1, left / 1_000_000);
      wait(millis);
    }
    return true;
  }
}
