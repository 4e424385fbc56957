package dev.asyncjobs.internal;

import dev.asyncjobs.spi.Lease;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The attempts whose lease one worker holds, from the claim until their outcome is written, with a
 * wait for them to drain. Keyed by lease, not job id: after a lost lease the same job may be claimed
 * again here while the abandoned attempt is still stopping.
 *
 * <p>An attempt is <em>busy</em> (it counts against the worker's concurrency, in total and per type)
 * from the claim until its generator returns, whether it still waits in the claim buffer or runs;
 * after that only its outcome write is pending, which needs the lease (heartbeats go on) but no slot.
 */
final class RunningAttempts {
  private static final class Entry {
    final Attempt attempt;
    boolean busy = true;
    boolean generating;

    Entry(Attempt attempt) {
      this.attempt = attempt;
    }
  }

  private final Map<Lease, Entry> byLease = new LinkedHashMap<>();
  private final Map<String, Integer> busyPerType = new HashMap<>();
  private int busy;
  private int generating;

  /** A claimed attempt: busy until its generator returns. */
  synchronized void add(Attempt a) {
    byLease.put(a.lease(), new Entry(a));
    busy++;
    busyPerType.merge(a.job().type(), 1, Integer::sum);
  }

  /** Its generator starts. */
  synchronized void started(Attempt a) {
    Entry e = byLease.get(a.lease());
    if (e != null && e.attempt == a && !e.generating && e.busy) {
      e.generating = true;
      generating++;
    }
  }

  /** Its generator returned (or will never run): the slot is free, the lease still held. */
  synchronized void generatorDone(Attempt a) {
    Entry e = byLease.get(a.lease());
    if (e != null && e.attempt == a) {
      free(e);
    }
  }

  /** Its outcome is written (or given up): the lease is no longer ours to keep. */
  synchronized void remove(Attempt a) {
    Entry e = byLease.get(a.lease());
    if (e != null && e.attempt == a) {
      free(e);
      byLease.remove(a.lease());
      notifyAll();
    }
  }

  private void free(Entry e) {
    if (e.generating) {
      e.generating = false;
      generating--;
    }
    if (e.busy) {
      e.busy = false;
      busy--;
      busyPerType.computeIfPresent(e.attempt.job().type(), (t, n) -> n == 1 ? null : n - 1);
    }
  }

  synchronized @Nullable Attempt get(Lease lease) {
    Entry e = byLease.get(lease);
    return e == null ? null : e.attempt;
  }

  /** Attempts claimed and not yet past their generator (buffered or running). */
  synchronized int busy() {
    return busy;
  }

  /** Attempts whose generator runs now. */
  synchronized int generating() {
    return generating;
  }

  /** {@link #busy()} per type. */
  synchronized Map<String, Integer> busyPerType() {
    return Map.copyOf(busyPerType);
  }

  /** Every attempt whose lease is held, busy or writing its outcome. */
  synchronized List<Attempt> snapshot() {
    List<Attempt> all = new ArrayList<>(byLease.size());
    byLease.values().forEach(e -> all.add(e.attempt));
    return all;
  }

  synchronized int size() {
    return byLease.size();
  }

  /** Attempts past their generator whose outcome is not yet written: {@link #size()} less {@link #busy()}, read at once. */
  synchronized int writing() {
    return byLease.size() - busy;
  }

  /** Waits until no lease is held or the deadline ({@link System#nanoTime()}). @return whether none is */
  synchronized boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    while (!byLease.isEmpty()) {
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
