package dev.asyncjobs.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Claimed attempts waiting for a slot, and the count of drain tasks that run them. A drain task runs
 * buffered attempts one after the other on its thread until the buffer is empty, so a busy worker
 * hands no job from thread to thread; at most {@code maxTasks} drain at once (the concurrency).
 * Polling and retiring happen under one lock, so that an attempt added just as the last task leaves
 * is never stranded.
 */
final class ClaimBuffer {
  private final ArrayDeque<Attempt> queue = new ArrayDeque<>();
  private final int maxTasks;
  private int tasks;

  ClaimBuffer(int maxTasks) {
    this.maxTasks = maxTasks;
  }

  /** Adds claimed attempts. @return how many new drain tasks the caller must start */
  synchronized int addAll(List<Attempt> attempts) {
    queue.addAll(attempts);
    int start = Math.min(queue.size(), maxTasks - tasks);
    if (start < 0) {
      start = 0;
    }
    tasks += start;
    return start;
  }

  /** The next attempt for a drain task; {@code null} retires the task (nothing left, or stopping). */
  synchronized @Nullable Attempt pollOrRetire(boolean stopping) {
    Attempt a = stopping ? null : queue.poll();
    if (a == null) {
      tasks--;
    }
    return a;
  }

  /** A drain task could not be started (the executor refused it). */
  synchronized void taskNotStarted() {
    tasks--;
  }

  /** Empties the buffer (shutdown, refused executor). */
  synchronized List<Attempt> takeAll() {
    List<Attempt> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }

  synchronized int size() {
    return queue.size();
  }
}
