package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.JobCancelledException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.RetryableGenerationException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import okhttp3.Interceptor;

/**
 * Runs blocking SDK calls so that cancellation really aborts them. A blocking OkHttp read does not
 * notice a thread interrupt, so the call runs on a helper thread while the job thread waits
 * interruptibly; on an interrupt (the worker's cancel, timeout or shutdown) or a cancelled job the
 * job thread cancels the OkHttp call, which closes its socket, and waits for the helper to leave.
 */
public final class CallRunner implements AutoCloseable {
  /** How often a waiting job thread also asks the context whether the job was cancelled. */
  static final long CANCEL_POLL_MILLIS = 200;
  /** How long an abort waits for the aborted call to unwind. */
  private static final long ABORT_WAIT_MILLIS = 5_000;

  private final CallTracker tracker = new CallTracker();
  private final ExecutorService executor;

  /** A runner with its own pool of daemon threads, which end after 30 s idle. */
  public CallRunner() {
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "asyncjobs-openai-call-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** The interceptor to install in the OpenAI client, linking its HTTP calls to their handles. */
  public Interceptor interceptor() {
    return tracker;
  }

  /**
   * Runs {@code call} and returns its value, or throws what it threw.
   *
   * @throws JobCancelledException the job was cancelled meanwhile (the call was aborted)
   * @throws RetryableGenerationException the job thread was interrupted (timeout, shutdown, lost
   *     lease; the call was aborted and the interrupt status is kept)
   */
  public <T> T run(JobContext context, Supplier<T> call) {
    context.throwIfCancelled();
    CallHandle handle = new CallHandle();
    Future<T> future;
    try {
      future = executor.submit(() -> handle.run(tracker, call));
    } catch (RejectedExecutionException e) {
      throw new RetryableGenerationException("the OpenAI generators were closed; another worker may run the job", null, e);
    }
    try {
      while (true) {
        try {
          return future.get(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          if (context.isCancelled()) {
            abort(handle);
            throw new JobCancelledException(context.jobId());
          }
        }
      }
    } catch (InterruptedException e) {
      abort(handle);
      Thread.currentThread().interrupt();
      if (context.isCancelled()) {
        throw new JobCancelledException(context.jobId());
      }
      throw new RetryableGenerationException(
          "the OpenAI call was aborted: the attempt was interrupted (timeout or worker shutdown)", null, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new RetryableGenerationException("the OpenAI call failed: " + cause, null, cause);
    } catch (CancellationException e) {
      throw new JobCancelledException(context.jobId());
    }
  }

  private static void abort(CallHandle handle) {
    handle.abort();
    handle.awaitFinished(ABORT_WAIT_MILLIS);
  }

  /** Stops the helper threads; calls in flight are interrupted. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
