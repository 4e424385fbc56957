package dev.asyncjobs.examples.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps on open event streams: so many per owner, so many in total. A stream holds a {@link Permit}
 * from before its response starts until it ends; the total cap is also the size of the thread pool
 * the streams run on (see {@link ApiServer}), so it bounds their threads too.
 */
final class StreamLimits {
  private final int perOwner;
  private final int total;
  /** Open streams per owner; guarded by {@code this}. */
  private final Map<String, Integer> open = new HashMap<>();
  /** Open streams in total; guarded by {@code this}. */
  private int count;

  StreamLimits(int perOwner, int total) {
    this.perOwner = perOwner;
    this.total = total;
  }

  /**
   * A place for one more stream of {@code owner}.
   *
   * @throws TooManyStreamsException when the owner's or the server's cap is reached
   */
  synchronized Permit acquire(String owner) {
    int mine = open.getOrDefault(owner, 0);
    if (mine >= perOwner) {
      throw new TooManyStreamsException(TooManyStreamsException.Scope.OWNER, perOwner);
    }
    if (count >= total) {
      throw new TooManyStreamsException(TooManyStreamsException.Scope.SERVER, total);
    }
    open.put(owner, mine + 1);
    count++;
    return new Permit(owner);
  }

  private synchronized void release(String owner) {
    open.computeIfPresent(owner, (k, n) -> n == 1 ? null : n - 1);
    count--;
  }

  /** One open stream's place; closing it more than once releases it once. */
  final class Permit implements AutoCloseable {
    private final String owner;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(String owner) {
      this.owner = owner;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(owner);
      }
    }
  }
}
