package dev.asyncjobs.internal;

import org.slf4j.Logger;

/**
 * Logs a store that stops answering once, when the first of the worker's background calls (claim,
 * heartbeat, rescue) fails, and once more when one succeeds again, instead of once per failed poll:
 * an outage of an hour must not write thousands of identical stack traces. The failures in between
 * go to debug. Every failure still reaches {@code WorkerListener.onStoreError}, so metrics count
 * them all.
 */
final class StoreOutageLog {
  private final Logger log;
  private final String workerId;
  private final Object lock = new Object();
  // read without the lock on every successful call, so that the usual case costs one volatile read
  private volatile boolean down;
  private int failures;
  private long downSinceNanos;

  StoreOutageLog(Logger log, String workerId) {
    this.log = log;
    this.workerId = workerId;
  }

  /** A background store call failed. */
  void failed(String operation, RuntimeException error) {
    synchronized (lock) {
      failures++;
      if (!down) {
        down = true;
        downSinceNanos = System.nanoTime();
        log.warn("worker {}: {} failed; the store seems unreachable, retrying quietly until it answers again",
            workerId, operation, error);
      } else {
        log.debug("worker {}: {} failed again ({} failures since the store stopped answering): {}",
            workerId, operation, failures, error.toString());
      }
    }
  }

  /** A background store call succeeded. */
  void succeeded() {
    if (!down) {
      return;
    }
    synchronized (lock) {
      if (down) {
        log.info("worker {}: the store answers again after {} failed calls in {} ms",
            workerId, failures, (System.nanoTime() - downSinceNanos) / 1_000_000);
        down = false;
        failures = 0;
      }
    }
  }
}
