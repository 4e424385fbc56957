package dev.asyncjobs.examples.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A TCP forwarder between a client (the browser) and a test server that a test can cut: {@link
 * #cut()} closes every proxied connection and resets each new one, {@link #restore()} forwards
 * again, on the same port all along. A real network outage: the client sees its connections die
 * and its reconnects fail, without the server being stopped.
 *
 * <p>It also logs the head of every HTTP/1.1 request it forwards from client to server (request
 * line and headers, in order), so a test can check what a client sent, e.g. a {@code
 * Last-Event-ID} on an EventSource's reconnect. Bodies are skipped by their {@code
 * Content-Length}; a connection with a chunked request body is forwarded but no longer logged.
 */
public final class TcpProxy implements AutoCloseable {
  /**
   * The head of one request the proxy forwarded.
   *
   * @param outage how many outages ({@link #cut()} then {@link #restore()}) had ended when its
   *     connection was accepted: 0 for connections from before the first cut
   * @param connection the number of its connection, counting from 1
   * @param method e.g. {@code GET}
   * @param target the request target, e.g. {@code /api/jobs?limit=20}
   * @param headers the header lines as sent, e.g. {@code Last-Event-ID: 42}
   */
  public record Request(int outage, int connection, String method, String target, List<String> headers) {
    /** The first value of header {@code name} (any case), or null. */
    public @Nullable String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String h : headers) {
        if (h.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return h.substring(prefix.length()).trim();
        }
      }
      return null;
    }

    /** The target's path, without the query. */
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    /** Method, path (the query may hold a token) and {@code Last-Event-ID}, for failure messages. */
    @Override
    public String toString() {
      String lastEventId = header("Last-Event-ID");
      return "connection " + connection + " (after outage " + outage + "): " + method + " " + path()
          + (lastEventId == null ? "" : " Last-Event-ID: " + lastEventId);
    }
  }

  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final ServerSocket server;
  /** Guarded by {@code this}. */
  private boolean cut;
  /** Guarded by {@code this}. */
  private int outages;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    Thread acceptor = new Thread(this::accept, "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts forwarding a free port of 127.0.0.1 to {@code targetHost:targetPort}. */
  public static TcpProxy start(String targetHost, int targetPort) throws IOException {
    return new TcpProxy(targetHost, targetPort);
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Closes every proxied connection; new connections are accepted and reset at once, until {@link #restore()}. */
  public synchronized void cut() {
    cut = true;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** Forwards new connections again. */
  public synchronized void restore() {
    if (cut) {
      cut = false;
      outages++;
    }
  }

  /** How many connections were reset because they came during a cut. */
  public int refused() {
    return refused.get();
  }

  /** The requests forwarded so far, in the order their heads arrived. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      int outage;
      synchronized (this) {
        if (cut) {
          refused.incrementAndGet();
          reset(client);
          continue;
        }
        outage = outages;
        sockets.add(client);
      }
      Socket upstream;
      try {
        upstream = new Socket(targetHost, targetPort);
      } catch (IOException e) {
        closeQuietly(client);
        continue;
      }
      synchronized (this) {
        if (!sockets.contains(client)) { // cut meanwhile
          closeQuietly(upstream);
          continue;
        }
        sockets.add(upstream);
      }
      RequestLog log = new RequestLog(outage, connections.incrementAndGet());
      pump(client, upstream, log);
      pump(upstream, client, null);
    }
  }

  private void pump(Socket from, Socket to, @Nullable RequestLog log) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (log != null) {
            log.feed(buffer, n);
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // one side went away; the finally closes the other
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Reads request heads out of one connection's client-to-server bytes. */
  private final class RequestLog {
    private final int outage;
    private final int connection;
    private final StringBuilder head = new StringBuilder();
    private long bodyLeft;
    private boolean lost;

    RequestLog(int outage, int connection) {
      this.outage = outage;
      this.connection = connection;
    }

    void feed(byte[] bytes, int n) {
      for (int i = 0; i < n && !lost; i++) {
        if (bodyLeft > 0) {
          long skip = Math.min(bodyLeft, n - i);
          bodyLeft -= skip;
          i += (int) skip - 1;
          continue;
        }
        head.append((char) (bytes[i] & 0xff));
        int len = head.length();
        if (len >= 4 && head.charAt(len - 4) == '\r' && head.charAt(len - 3) == '\n'
            && head.charAt(len - 2) == '\r' && head.charAt(len - 1) == '\n') {
          parse(head.substring(0, len - 4));
          head.setLength(0);
        }
      }
    }

    private void parse(String text) {
      String[] lines = text.split("\r\n");
      String[] start = lines[0].split(" ", 3);
      List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
      Request r = new Request(outage, connection, start[0], start.length > 1 ? start[1] : "", List.copyOf(headers));
      requests.add(r);
      String length = r.header("Content-Length");
      bodyLeft = length == null ? 0 : Long.parseLong(length.trim());
      String encoding = r.header("Transfer-Encoding");
      lost = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0); // an RST, as a refused or broken connection gives
    } catch (SocketException ignored) {
      // closed already
    }
    closeQuietly(s);
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closeQuietly(server);
    cut();
  }
}
