package dev.asyncjobs.examples.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.jspecify.annotations.Nullable;

/**
 * Cuts off a request whose body arrives slower than a minimum rate, once a grace period has
 * passed: a client that sends one byte every few seconds would otherwise hold a server thread for
 * as long as it likes, because each byte resets the idle timeout.
 *
 * <p>Jetty's own {@code MinimumDataRateHandler} does the same check against the bytes read by
 * <em>all</em> requests together (it is a {@code StatisticsHandler}), so busy traffic elsewhere
 * would hide a slow client; this one counts the bytes of each request. The refusal is the same
 * as Jetty's: the next read fails with a {@link TimeoutException}, which the API answers with 408.
 */
final class MinimumBodyRate extends Handler.Wrapper {
  private final long minBytesPerSecond;
  private final long graceNanos;

  /**
   * A wrapper that enforces {@code minBytesPerSecond} once {@code grace} has passed since the
   * first read of a body.
   */
  MinimumBodyRate(long minBytesPerSecond, Duration grace) {
    this.minBytesPerSecond = minBytesPerSecond;
    this.graceNanos = grace.toNanos();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Handler next = getHandler();
    return next != null && next.handle(new RateCheckedRequest(request), response, callback);
  }

  private final class RateCheckedRequest extends Request.Wrapper {
    private long firstDemandNanos;
    private long bytesRead;
    private Content.@Nullable Chunk failure;

    RateCheckedRequest(Request wrapped) {
      super(wrapped);
    }

    @Override
    public Content.@Nullable Chunk read() {
      if (failure != null) {
        return failure;
      }
      Content.Chunk chunk = super.read();
      if (chunk != null) {
        bytesRead += chunk.remaining();
      }
      return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
      // A demand means the reader found nothing to read: the moment to ask whether the client
      // is keeping up. Checking here, not per read, costs nothing while data flows.
      long now = NanoTime.now();
      if (firstDemandNanos == 0) {
        firstDemandNanos = now;
      }
      long elapsed = NanoTime.elapsed(firstDemandNanos, now);
      if (elapsed > graceNanos && bytesRead * TimeUnit.SECONDS.toNanos(1) / elapsed < minBytesPerSecond) {
        failure = Content.Chunk.from(new TimeoutException(
            "request body slower than " + minBytesPerSecond + " bytes/s"));
        demandCallback.run();
        return;
      }
      super.demand(demandCallback);
    }
  }
}
