package dev.asyncjobs;

/**
 * Wraps every call of a generator by a worker, on the thread that runs it: register one with {@link
 * JobWorker.Builder#interceptor} (a {@link JobWorker.Builder#buildManual() manual worker} uses them too). The tracing module
 * makes the attempt's span current here, so that the generator's own calls (HTTP clients, a database) are its
 * children.
 * How the attempt ended is reported to {@link WorkerListener}s afterwards.
 *
 * <pre>{@code
 * AttemptInterceptor timing = (job, attempt) -> {
 *   long start = System.nanoTime();
 *   try {
 *     return attempt.proceed();
 *   } finally {
 *     log.info("{} took {} ms", job.id(), (System.nanoTime() - start) / 1_000_000);
 *   }
 * };
 * }</pre>
 */
@FunctionalInterface
public interface AttemptInterceptor {

  /**
   * Runs the attempt, usually by calling {@code attempt.proceed()} once and returning what it
   * returns. An exception thrown here counts as the generator's (a {@link
   * PermanentGenerationException} fails the job at once, any other is retried by the retry policy).
   *
   * @param job the job, PROCESSING, with its attempt number in {@link Job#attempts()}
   * @param attempt the next interceptor, or the generator itself
   * @return the result to store
   */
  Object intercept(Job job, Attempt attempt);

  /** The rest of the chain: the next interceptor, and finally the generator. */
  @FunctionalInterface
  interface Attempt {
    /**
     * {@return runs the rest of the chain and returns the generator's result} Exceptions of the
     * generator pass through unchanged.
     */
    Object proceed();
  }
}
