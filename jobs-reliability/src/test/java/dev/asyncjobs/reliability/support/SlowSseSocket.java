package dev.asyncjobs.reliability.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A deliberately slow SSE subscriber: a raw socket with a small receive buffer that asks for the
 * event stream and then reads nothing until the test says so, so that the server can only queue
 * what it wants to send. {@link #drain} then reads whatever the server still sends until it ends
 * the stream, undoing HTTP/1.1 chunked encoding.
 */
public final class SlowSseSocket implements AutoCloseable {
  private final Socket socket;

  private SlowSseSocket(Socket socket) {
    this.socket = socket;
  }

  /** Connects and sends the request; reads nothing. */
  public static SlowSseSocket open(int port, String token) {
    try {
      Socket s = new Socket();
      s.setReceiveBufferSize(2048); // before connect, so that the window stays small
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      String request = "GET /api/jobs/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nAccept: text/event-stream\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return new SlowSseSocket(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the rest of the response until the server ends it, or until {@code timeout} has passed
   * (the server kept the stream open: the caller's assertions say what that means), and returns
   * the body text, de-chunked.
   */
  public String drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        while (true) {
          long left = (deadline - System.nanoTime()) / 1_000_000;
          if (left <= 0) {
            break;
          }
          socket.setSoTimeout((int) left);
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          raw.write(buf, 0, n);
          if (endsWithLastChunk(raw)) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        // deadline reached
      }
      return dechunk(raw.toString(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean endsWithLastChunk(ByteArrayOutputStream raw) {
    String tail = raw.toString(StandardCharsets.ISO_8859_1);
    return tail.endsWith("\r\n0\r\n\r\n");
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
