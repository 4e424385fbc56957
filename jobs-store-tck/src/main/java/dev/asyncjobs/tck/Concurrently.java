package dev.asyncjobs.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Runs one task on many real threads that start together at a {@link CyclicBarrier}, so that their
 * calls into the store overlap as much as the machine allows, and collects what each returned or
 * threw.
 */
public final class Concurrently {
  private Concurrently() {}

  /**
   * What one thread's task did: a value, or the exception it threw.
   *
   * @param value what it returned, when it returned
   * @param error what it threw, when it threw
   * @param <T> value type
   */
  public record Outcome<T>(@Nullable T value, @Nullable Throwable error) {
    /** {@return whether the task returned normally} */
    public boolean succeeded() {
      return error == null;
    }
  }

  /**
   * Runs {@code task.apply(i)} for {@code i = 0 … threads-1}, each on its own thread, all released
   * at once.
   *
   * @param <T> what the task returns
   * @param threads how many threads, each running the task once
   * @param timeout how long all threads may take together
   * @param task the task, given the thread's index
   * @return the outcomes, by thread index
   * @throws AssertionError when the threads do not all finish within {@code timeout}
   */
  public static <T> List<Outcome<T>> run(int threads, Duration timeout, IntFunction<T> task) {
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome<T>>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                  try {
                    return new Outcome<T>(task.apply(index), null);
                  } catch (RuntimeException | AssertionError e) {
                    return new Outcome<T>(null, e);
                  }
                }));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<Outcome<T>> f : futures) {
        outcomes.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return outcomes;
    } catch (TimeoutException e) {
      throw new AssertionError(threads + " threads did not finish within " + timeout, e);
    } catch (ExecutionException e) {
      throw new AssertionError("a thread could not start its task", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
