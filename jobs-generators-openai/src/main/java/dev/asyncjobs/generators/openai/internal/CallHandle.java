package dev.asyncjobs.generators.openai.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import org.jspecify.annotations.Nullable;

/**
 * One blocking remote call running on a helper thread, and the means to abort it: the OkHttp call
 * (cancelled, which closes its socket; the SDK's and the image fetcher's) and the helper thread
 * (interrupted, for anything else that blocks).
 */
final class CallHandle {
  private final CountDownLatch finished = new CountDownLatch(1);
  private @Nullable Call call;
  private @Nullable Thread thread;
  private boolean aborted;

  /** Runs {@code body} on the calling (helper) thread, with OkHttp calls made meanwhile attached here. */
  <T> T run(CallTracker tracker, Supplier<T> body) {
    try {
      synchronized (this) {
        if (aborted) {
          throw new java.util.concurrent.CancellationException("aborted before it started");
        }
        thread = Thread.currentThread();
      }
      tracker.bind(this);
      try {
        return body.get();
      } finally {
        tracker.unbind();
        synchronized (this) {
          thread = null;
        }
        // An abort may have interrupted this pool thread; the next task must not see it.
        Thread.interrupted();
      }
    } finally {
      finished.countDown();
    }
  }

  /** Called by the interceptor on the helper thread when the SDK starts an HTTP call. */
  synchronized void attach(Call started) {
    call = started;
    if (aborted) {
      started.cancel();
    }
  }

  synchronized boolean isAborted() {
    return aborted;
  }

  /** Cancels the HTTP call in flight and interrupts the helper thread. Idempotent. */
  synchronized void abort() {
    aborted = true;
    if (call != null) {
      call.cancel();
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  /**
   * Waits until the helper thread has left the call, so that an abort is complete when the job
   * thread reports it. Keeps the caller's interrupt status.
   *
   * @return whether it finished within the wait
   */
  boolean awaitFinished(long millis) {
    try {
      return finished.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
