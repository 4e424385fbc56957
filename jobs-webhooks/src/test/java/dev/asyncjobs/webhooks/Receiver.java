package dev.asyncjobs.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local HTTP server that receives webhooks: it keeps every request and answers each with the
 * next scripted status (200 once the script is used up), as a real receiver would.
 */
final class Receiver implements AutoCloseable {
  /** One received request. */
  record Received(String path, String id, String timestamp, String signature, String contentType, String body, Instant at) {}

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> script = new ArrayDeque<>();
  private final Map<Integer, String> locations = new java.util.concurrent.ConcurrentHashMap<>();

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        var h = exchange.getRequestHeaders();
        received.add(new Received(exchange.getRequestURI().getPath(), h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
            h.getFirst("webhook-signature"), h.getFirst("Content-Type"), body, Instant.now()));
      }
      int status = next();
      String location = locations.get(status);
      if (location != null) {
        exchange.getResponseHeaders().add("Location", location);
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  /** Answers the next requests with these statuses, in order. */
  synchronized Receiver answer(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  /** Sends {@code location} with every answer of {@code status}. */
  Receiver location(int status, String location) {
    locations.put(status, location);
    return this;
  }

  private synchronized int next() {
    Integer s = script.poll();
    return s == null ? 200 : s;
  }

  /** {@return the URL of {@code path} on this server, by IP literal} */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** {@return the port} */
  int port() {
    return server.getAddress().getPort();
  }

  /** {@return the requests so far, oldest first} */
  List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
