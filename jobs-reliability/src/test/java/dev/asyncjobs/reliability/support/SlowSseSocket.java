package dev.asyncjobs.reliability.support;

import dev.asyncjobs.testing.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately slow SSE subscriber: a raw socket that asks for the event stream and then reads a
 * trickle ({@code bytesPerSecond}), far less than the server wants to send, so that the server must
 * either queue without end or cut it off. (It does read: a subscriber that reads nothing at all is
 * cut by the web server's idle timeout on the blocked write, without a chance to be told why.)
 * {@link #drain} then reads at full speed whatever the server still sends until it ends the stream,
 * and returns the body, de-chunked.
 */
public final class SlowSseSocket implements AutoCloseable {
  private static final long TICK_MILLIS = 100;

  private final Socket socket;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final int bytesPerTick;
  private volatile boolean fullSpeed;

  private SlowSseSocket(Socket socket, int bytesPerSecond) {
    this.socket = socket;
    this.bytesPerTick = Math.max(1, (int) (bytesPerSecond * TICK_MILLIS / 1000));
    Thread reader = new Thread(this::read, "slow-sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects, sends the request, and starts reading {@code bytesPerSecond}. */
  public static SlowSseSocket open(int port, String token, int bytesPerSecond) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      String request = "GET /api/jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nAccept: text/event-stream\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return new SlowSseSocket(s, bytesPerSecond);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void read() {
    try {
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[64 * 1024];
      while (true) {
        int n = in.read(buf, 0, fullSpeed ? buf.length : Math.min(buf.length, bytesPerTick));
        if (n < 0) {
          return;
        }
        synchronized (raw) {
          raw.write(buf, 0, n);
          if (raw.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
            return; // the last chunk: the server ended the stream
          }
        }
        if (!fullSpeed) {
          Thread.sleep(TICK_MILLIS); // the deliberate slowness, not a wait for a condition
        }
      }
    } catch (IOException e) {
      // the connection went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ended.countDown();
    }
  }

  /**
   * Reads at full speed until the body (de-chunked) satisfies {@code done}, the server ends the
   * stream, or {@code timeout} passes, and returns the body so far.
   */
  public String drainUntil(java.util.function.Predicate<String> done, Duration timeout) {
    fullSpeed = true;
    Deadline deadline = Deadline.after(timeout);
    while (true) {
      String body;
      synchronized (raw) {
        body = dechunk(raw.toString(StandardCharsets.ISO_8859_1));
      }
      if (done.test(body) || ended.getCount() == 0 || deadline.hasPassed()) {
        return body;
      }
      try {
        ended.await(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return body;
      }
    }
  }

  /**
   * Reads at full speed until the server ends the stream or {@code timeout} passes, and returns the
   * body text, de-chunked.
   */
  public String drain(Duration timeout) {
    fullSpeed = true;
    try {
      ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (raw) {
      return dechunk(raw.toString(StandardCharsets.ISO_8859_1));
    }
  }

  /** The body of a chunked HTTP/1.1 response (or the raw text after the headers if not chunked). */
  private static String dechunk(String response) {
    int headerEnd = response.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
      return "";
    }
    String headers = response.substring(0, headerEnd).toLowerCase();
    String body = response.substring(headerEnd + 4);
    if (!headers.contains("transfer-encoding: chunked")) {
      return new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length()) {
      int lineEnd = body.indexOf("\r\n", i);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(i, lineEnd).split(";")[0].strip(), 16);
      if (size == 0) {
        break;
      }
      int start = lineEnd + 2;
      int end = Math.min(start + size, body.length());
      out.writeBytes(body.substring(start, end).getBytes(StandardCharsets.ISO_8859_1));
      i = end + 2;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
