package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.CompletedAndClaimed;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of completions through {@link JobStore#completeAll}: what arrives while a write is in
 * flight goes out together in the next one, so a busy worker makes one store round trip per batch
 * instead of one per job, and an idle one pays no extra latency (a lone completion goes out at once).
 *
 * <p>Two ways in. {@link #complete} blocks the caller until its completion is written (the manual
 * worker). {@link #submit} returns at once and a writer thread of its own writes the batch and then
 * calls back (the worker runtime, whose job threads move on to the next job meanwhile). The job stays
 * PROCESSING under the worker's lease until the write commits, and the worker keeps heartbeating it
 * until then, so a completion lost in a crash leaves an expiring lease and a retry, never a lost job.
 */
final class CompletionBatcher {
  /** What the writer tells the submitter: the job after the change, or why there is none. */
  interface Callback {
    /** The completion was written; {@code job} is COMPLETED, or CANCELLED when a cancel was requested. */
    void written(Job job);

    /** Nothing was written: {@link LeaseLostException} when the lease was lost, else the store's failure. */
    void refused(RuntimeException error);
  }

  /**
   * A claim that the writer thread makes in the same store call as a batch ({@link
   * JobStore#completeAllThenClaim}), so that the room the completions make under a limit goes to
   * this worker's next jobs at once. Called on the writer thread only.
   */
  interface ClaimRider {
    /** {@return the claim to make with the next batch, its capacity reserved, or null for none} */
    @Nullable ClaimRequest reserve();

    /**
     * The store call returned, before any completion's callback runs.
     *
     * @param request what {@link #reserve()} gave
     * @param result what was completed and claimed
     * @param leases the leases of the completions that went with the claim
     */
    void claimed(ClaimRequest request, CompletedAndClaimed result, Set<Lease> leases);

    /** The store call failed: nothing was completed or claimed; give the reservation back. */
    void failed(ClaimRequest request);
  }

  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.JobWorker");

  private record Pending(Completion completion, Callback callback) {}

  private final JobStore store;
  private final int maxBatch;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayList<Pending> queue = new ArrayList<>();
  private boolean writing;
  private boolean closed;
  private @Nullable Thread writer;
  private volatile @Nullable ClaimRider rider;

  CompletionBatcher(JobStore store, int maxBatch) {
    this.store = store;
    this.maxBatch = maxBatch;
  }

  /** Starts the writer thread that {@link #submit} needs. */
  void startWriter(ThreadFactory factory) {
    startWriter(factory, null);
  }

  /** Starts the writer thread; {@code rider}, when given, may add a claim to each batch it writes. */
  void startWriter(ThreadFactory factory, @Nullable ClaimRider rider) {
    this.rider = rider;
    Thread t = factory.newThread(this::writeLoop);
    writer = t;
    t.start();
  }

  /**
   * Queues a completion for the writer thread; {@code callback} hears the result on that thread.
   * After {@link #close()} the completion is written on the calling thread instead.
   */
  void submit(Completion completion, Callback callback) {
    Pending p = new Pending(completion, callback);
    lock.lock();
    try {
      if (!closed && writer != null) {
        queue.add(p);
        if (!writing) {
          changed.signal();
        }
        return;
      }
    } finally {
      lock.unlock();
    }
    write(List.of(p), null);
  }

  /**
   * Records one completion, possibly together with others, on the calling thread.
   *
   * @return the job after the change (COMPLETED, or CANCELLED when cancellation was requested)
   * @throws LeaseLostException the lease was lost; nothing written for this job
   */
  Job complete(Completion completion) {
    Job[] done = new Job[1];
    RuntimeException[] error = new RuntimeException[1];
    write(List.of(new Pending(completion, new Callback() {
      @Override
      public void written(Job job) {
        done[0] = job;
      }

      @Override
      public void refused(RuntimeException e) {
        error[0] = e;
      }
    })), null);
    if (error[0] != null) {
      throw error[0];
    }
    return done[0];
  }

  private void writeLoop() {
    while (true) {
      List<Pending> batch;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          writing = false;
          changed.awaitUninterruptibly();
        }
        if (queue.isEmpty()) {
          writing = false;
          changed.signalAll();
          return;
        }
        writing = true;
        int n = Math.min(maxBatch, queue.size());
        batch = new ArrayList<>(queue.subList(0, n));
        queue.subList(0, n).clear();
      } finally {
        lock.unlock();
      }
      write(batch, rider);
    }
  }

  /**
   * Writes one batch with one store call, with the claim {@code rider} asks for if any, and tells
   * each submitter how it went.
   */
  private void write(List<Pending> batch, @Nullable ClaimRider rider) {
    List<Completion> completions = new ArrayList<>(batch.size());
    batch.forEach(p -> completions.add(p.completion()));
    ClaimRequest claim = null;
    if (rider != null) {
      try {
        claim = rider.reserve();
      } catch (RuntimeException e) {
        // a bug of the rider must not cost the completions their write
        LOG.error("planning the claim to go with {} completions failed; writing them alone", completions.size(), e);
      }
    }
    Map<UUID, Job> done = new HashMap<>();
    try {
      List<Job> completed;
      if (claim == null) {
        completed = store.completeAll(completions);
      } else {
        CompletedAndClaimed result;
        try {
          result = store.completeAllThenClaim(completions, claim);
        } catch (RuntimeException e) {
          rider.failed(claim);
          throw e;
        }
        Set<Lease> leases = new HashSet<>();
        completions.forEach(c -> leases.add(c.lease()));
        try {
          rider.claimed(claim, result, leases);
        } catch (RuntimeException e) {
          // the completions are written: they must still be told so
          LOG.error("launching the jobs claimed with {} completions failed", completions.size(), e);
        }
        completed = result.completed();
      }
      for (Job job : completed) {
        done.put(job.id(), job);
      }
    } catch (RuntimeException e) {
      batch.forEach(p -> tell(p, null, e));
      return;
    }
    for (Pending p : batch) {
      Job job = done.get(p.completion().lease().jobId());
      // By attempt too: a kept result of an earlier attempt may share the batch with the next one's.
      if (job != null && job.attempts() == p.completion().lease().attempt()) {
        tell(p, job, null);
      } else {
        Lease lease = p.completion().lease();
        tell(p, null, new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt()));
      }
    }
  }

  /** Calls back; a callback that throws must not stop the writer or the rest of the batch. */
  private static void tell(Pending p, @Nullable Job job, @Nullable RuntimeException error) {
    try {
      if (job != null) {
        p.callback().written(job);
      } else {
        p.callback().refused(java.util.Objects.requireNonNull(error));
      }
    } catch (RuntimeException e) {
      LOG.error("job {}: handling its completion failed", p.completion().lease().jobId(), e);
    }
  }

  /**
   * Writes what is queued, then ends the writer thread; later submits are written on the caller's
   * thread. Waits up to {@code timeoutNanos} for the writer to finish.
   */
  void close(long timeoutNanos) throws InterruptedException {
    Thread t;
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
      t = writer;
    } finally {
      lock.unlock();
    }
    if (t != null && t != Thread.currentThread()) {
      TimeUnit.NANOSECONDS.timedJoin(t, timeoutNanos);
    }
  }
}
