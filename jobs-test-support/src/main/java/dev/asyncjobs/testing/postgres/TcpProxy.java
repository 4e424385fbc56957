package dev.asyncjobs.testing.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A TCP forwarder between a store (in this JVM or another process) and PostgreSQL that a test can
 * cut ({@link #stop()}: every connection dies, new ones are refused) and restore on the same port
 * ({@link #start()}): a real network outage between one client and the database, without stopping
 * the server or touching its other clients.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile @Nullable ServerSocket server;
  private int port;

  /**
   * A proxy to {@code targetHost:targetPort}; not listening until {@link #start()}.
   *
   * @param targetHost where to forward to
   * @param targetPort its port
   */
  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /**
   * Starts listening: on a free port the first time, on the same port after a stop.
   *
   * @return this proxy
   * @throws IOException the port cannot be bound
   */
  public synchronized TcpProxy start() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("127.0.0.1", port));
    port = s.getLocalPort();
    server = s;
    Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return this;
  }

  /** {@return the local port clients connect to} */
  public int port() {
    return port;
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        return; // closed by stop()
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
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

  /** Cuts every connection and refuses new ones. */
  public synchronized void stop() {
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
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

  /** Cuts every connection, as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }
}
