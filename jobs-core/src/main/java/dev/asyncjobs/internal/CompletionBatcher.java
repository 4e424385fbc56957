package dev.asyncjobs.internal;

import dev.asyncjobs.Completion;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStore;
import dev.asyncjobs.LeaseLostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of completions: the job threads that finish while a {@link JobStore#completeAll}
 * call is in flight queue up, and the next of them writes all their completions in one call. An
 * idle worker pays no extra latency (a lone completion goes out at once); a busy one makes one store
 * round trip per batch instead of one per job.
 */
final class CompletionBatcher {
  private record Pending(Completion completion, CompletableFuture<Job> result) {}

  private final JobStore store;
  private final int maxBatch;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock leader = new ReentrantLock();

  CompletionBatcher(JobStore store, int maxBatch) {
    this.store = store;
    this.maxBatch = maxBatch;
  }

  /**
   * Records one completion, possibly together with others'.
   *
   * @return the job after the change (COMPLETED, or CANCELLED when cancellation was requested)
   * @throws LeaseLostException the lease was lost; nothing written for this job
   */
  Job complete(Completion completion) {
    Pending mine = new Pending(completion, new CompletableFuture<>());
    queue.add(mine);
    while (!mine.result().isDone()) {
      leader.lock();
      try {
        if (!mine.result().isDone()) {
          commitBatch();
        }
      } finally {
        leader.unlock();
      }
    }
    try {
      return mine.result().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      // Unreachable: the future is done. Keep the flag for the caller all the same.
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void commitBatch() {
    List<Pending> batch = new ArrayList<>();
    for (Pending p; batch.size() < maxBatch && (p = queue.poll()) != null; ) {
      batch.add(p);
    }
    if (batch.isEmpty()) {
      return;
    }
    List<Completion> completions = new ArrayList<>(batch.size());
    batch.forEach(p -> completions.add(p.completion()));
    Map<UUID, Job> done = new HashMap<>();
    try {
      for (Job job : store.completeAll(completions)) {
        done.put(job.id(), job);
      }
    } catch (RuntimeException e) {
      batch.forEach(p -> p.result().completeExceptionally(e));
      return;
    }
    for (Pending p : batch) {
      Job job = done.get(p.completion().lease().jobId());
      if (job != null) {
        p.result().complete(job);
      } else {
        var lease = p.completion().lease();
        p.result().completeExceptionally(new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt()));
      }
    }
  }
}
