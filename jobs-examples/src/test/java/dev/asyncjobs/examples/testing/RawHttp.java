package dev.asyncjobs.examples.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 on a bare socket, for what a well-behaved client never sends: a body that drips, a
 * declared length with no body, a malformed request line. Every read has a deadline, so a test
 * that the server fails to end fails itself instead of hanging.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  /** Connects to {@code 127.0.0.1:port}; a read that waits longer than {@code readDeadline} fails the test. */
  public static RawHttp connect(int port, Duration readDeadline) {
    try {
      Socket s = new Socket("127.0.0.1", port);
      s.setSoTimeout((int) readDeadline.toMillis());
      s.setTcpNoDelay(true);
      return new RawHttp(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes ASCII text as it is (the caller writes the CRLFs). */
  public void write(String ascii) throws IOException {
    out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * An answer read off the socket.
   *
   * @param status the status, or 0 when the server closed the connection without answering
   * @param headers the headers, names in lower case
   * @param body the body as text
   */
  public record Answer(int status, Map<String, String> headers, String body) {
    /** A header, or null. */
    public @Nullable String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Reads one answer: the head, then a body of its {@code Content-Length} (or up to the close).
   *
   * @throws AssertionError when nothing arrives within the read deadline
   */
  public Answer read() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = readByte()) != -1) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          break;
        }
      }
      if (head.size() == 0) {
        return new Answer(0, Map.of(), "");
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
      }
      String length = headers.get("content-length");
      byte[] body = length != null ? in.readNBytes(Integer.parseInt(length)) : readToClose();
      return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server neither answered nor closed the connection within the deadline", e);
    }
  }

  private int readByte() throws IOException {
    try {
      return in.read();
    } catch (java.net.SocketException reset) {
      // A reset is the server giving up on the connection too.
      return -1;
    }
  }

  private byte[] readToClose() throws IOException {
    try {
      return in.readAllBytes();
    } catch (java.net.SocketException reset) {
      return new byte[0];
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
