package dev.asyncjobs.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** How a generator call ended, before the worker decides what to write. */
sealed interface Outcome {
  /** It returned {@code result} after {@code duration}. */
  record Success(@Nullable Object result, Duration duration) implements Outcome {}

  /** It threw; {@code permanent} when another attempt cannot help (bad stored payload, permanent failure). */
  record Failure(Throwable error, boolean permanent) implements Outcome {}
}
