package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server that answers like the OpenAI API: each path gets a queue of scripted replies
 * (in the wire shapes of real responses, see {@link OpenAiReplies}); every request is recorded. A
 * reply can be held until the test releases it, to stand for a slow generation.
 */
final class FakeOpenAi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request as the server received it. */
  record Request(String method, String path, Map<String, List<String>> headers, String body, long receivedNanos) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** A scripted reply. */
  record Reply(int status, Map<String, String> headers, byte[] body, String contentType, boolean isHeld) {
    static Reply json(int status, String body) {
      return new Reply(status, Map.of(), body.getBytes(StandardCharsets.UTF_8), "application/json", false);
    }

    static Reply bytes(byte[] body, String contentType) {
      return new Reply(200, Map.of(), body, contentType, false);
    }

    Reply withHeader(String name, String value) {
      Map<String, String> h = new HashMap<>(headers);
      h.put(name, value);
      return new Reply(status, Map.copyOf(h), body, contentType, isHeld);
    }

    /** Held until {@link FakeOpenAi#release()} (or the server closes). */
    Reply held() {
      return new Reply(status, headers, body, contentType, true);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-openai");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Deque<Reply>> replies = new HashMap<>();
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);

  private FakeOpenAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakeOpenAi start() {
    try {
      return new FakeOpenAi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL to give the client: {@code http://127.0.0.1:<port>/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** A URL on this server outside the API, e.g. for image downloads. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Queues {@code reply} for the next request to {@code path} (e.g. {@code /v1/images/generations}). */
  FakeOpenAi on(String path, Reply reply) {
    synchronized (replies) {
      replies.computeIfAbsent(path, p -> new ArrayDeque<>()).add(reply);
    }
    return this;
  }

  /** The next request received, waiting up to 10 s. */
  Request take() {
    try {
      Request r = requests.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("the fake OpenAI server received no request within 10 s");
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Requests received and not yet taken. */
  List<Request> pending() {
    return List.copyOf(requests);
  }

  /** Lets held replies go. */
  void release() {
    release.countDown();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      Reply reply;
      synchronized (replies) {
        Deque<Reply> queue = replies.get(path);
        reply = queue == null ? null : queue.poll();
      }
      requests.add(new Request(
          exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
      if (reply == null) {
        reply = Reply.json(500, OpenAiReplies.error("server_error", null, "the fake server has no reply scripted for " + path));
      }
      if (reply.isHeld()) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", reply.contentType());
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      exchange.getResponseBody().write(reply.body());
    } catch (IOException clientGone) {
      // The client aborted the call (cancellation, timeout): nothing to answer.
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
