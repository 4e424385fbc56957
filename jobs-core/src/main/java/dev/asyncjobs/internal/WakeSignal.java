package dev.asyncjobs.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the claim loop. A signal that arrives while the loop is busy is kept, so that a job created
 * during a claim is not missed until the next poll.
 */
final class WakeSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean pending;

  void signal() {
    lock.lock();
    try {
      pending = true;
      woken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a signal or until {@code nanos} passed, and consumes the signal. */
  void await(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (!pending && left > 0) {
        left = woken.awaitNanos(left);
      }
      pending = false;
    } finally {
      lock.unlock();
    }
  }
}
