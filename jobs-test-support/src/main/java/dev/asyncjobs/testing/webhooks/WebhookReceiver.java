package dev.asyncjobs.testing.webhooks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP server that receives webhooks, as a real receiver would: it keeps every request
 * (path, {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}, content type,
 * body) and answers each with the next scripted status, 200 once the script is used up. Listens on
 * the loopback address at a free port; close it after the test.
 */
public final class WebhookReceiver implements AutoCloseable {
  /**
   * One received request.
   *
   * @param path the request's path
   * @param id the {@code webhook-id} header
   * @param timestamp the {@code webhook-timestamp} header
   * @param signature the {@code webhook-signature} header
   * @param contentType the {@code Content-Type} header
   * @param body the body, as received
   * @param at when it arrived
   */
  public record Received(String path, @Nullable String id, @Nullable String timestamp, @Nullable String signature,
      @Nullable String contentType, String body, Instant at) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Integer> script = new ArrayDeque<>();
  private final Map<Integer, String> locations = new ConcurrentHashMap<>();

  /** Starts the server on the loopback address at a free port. */
  public WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the webhook receiver", e);
    }
    server.setExecutor(executor);
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

  /**
   * Answers the next requests with these statuses, in order.
   *
   * @param statuses HTTP statuses
   * @return this receiver
   */
  public synchronized WebhookReceiver answer(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  /**
   * Sends {@code location} with every answer of {@code status}.
   *
   * @param status an HTTP status, a redirect's say
   * @param location the Location header's value
   * @return this receiver
   */
  public WebhookReceiver location(int status, String location) {
    locations.put(status, location);
    return this;
  }

  private synchronized int next() {
    Integer s = script.poll();
    return s == null ? 200 : s;
  }

  /**
   * {@return the http URL of {@code path} on this server, by IP literal}
   *
   * @param path a path starting with {@code /}
   */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** {@return the port} */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@return the requests so far, oldest first} */
  public List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
