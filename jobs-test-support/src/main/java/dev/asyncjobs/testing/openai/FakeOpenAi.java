package dev.asyncjobs.testing.openai;

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
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTP server on a free port of 127.0.0.1 that answers like the OpenAI API, for tests of
 * code that calls it: point the client's base URL at {@link #baseUrl()}.
 *
 * <ul>
 *   <li>Each path has a queue of scripted replies ({@link #on}), used once each, in order; after
 *       them, a handler for every further request ({@link #onEvery}); with neither, the server
 *       answers 500 with an OpenAI error body saying nothing was scripted.
 *   <li>Every request is recorded: {@link #take()} hands them out in order, waiting for the next,
 *       {@link #requests()} lists all.
 *   <li>A reply can be {@linkplain Reply#held() held} until {@link #release()}, to stand for a slow
 *       generation (a test of timeouts or cancellation).
 *   <li>Error replies carry OpenAI's error body ({@link Reply#error}); {@link Reply#rateLimited}
 *       is a 429 with the retry headers OpenAI sends, {@link Reply#tooManyRequests} one without
 *       them, to add {@code Retry-After} ({@link Reply#withHeader}) or OpenAI's {@code
 *       x-ratelimit-*} headers ({@link Reply#withRateLimits}) to.
 *   <li>Every answer is recorded with its status and when it was sent ({@link #answers}), so
 *       that a test can check when clients came back after a 429.
 *   <li>A reply can {@linkplain Reply#stream stream} Server-Sent Events (chat completion chunks
 *       from {@link OpenAiReplies#chatChunks}) with a pause between them; a client that goes away
 *       mid-stream is noticed at the next write and reported by {@link #awaitDisconnect}. A plain
 *       chat completion scripted for a streaming request is streamed as OpenAI would stream it. As
 *       OpenAI, the stream's usage chunk is sent only when the request asks for it ({@code
 *       stream_options.include_usage}).
 * </ul>
 *
 * <pre>{@code
 * try (FakeOpenAi openAi = FakeOpenAi.start()) {
 *   openAi.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "Hello")));
 *   OpenAIClient client = OpenAIOkHttpClient.builder().apiKey("sk-test").baseUrl(openAi.baseUrl()).build();
 *   ... // run the generator
 *   assertThat(openAi.take().json().get("model").asText()).isEqualTo("gpt-4o-mini");
 * }
 * }</pre>
 */
public final class FakeOpenAi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration HOLD_AT_MOST = Duration.ofSeconds(30);

  /**
   * A request as the server received it.
   *
   * @param method e.g. {@code POST}
   * @param path the path, e.g. {@code /v1/chat/completions}
   * @param query the raw query string, or null when there is none
   * @param headers the headers (names as the JDK server gives them: first letter upper case)
   * @param body the body as UTF-8 text, empty when there is none
   * @param receivedNanos {@link System#nanoTime()} when it arrived, for tests of timing (retries, backoff)
   */
  public record Request(
      String method, String path, @Nullable String query, Map<String, List<String>> headers, String body, long receivedNanos) {
    /**
     * The body as JSON.
     *
     * @return the parsed body
     * @throws UncheckedIOException when it is not JSON
     */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * The first value of a header.
     *
     * @param name the header's name, in any case
     * @return its first value, or null when the request has none
     */
    public @Nullable String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * A request and what the server answered it, once the answer's status line went out.
   *
   * @param request the request
   * @param status the status sent
   * @param sentNanos {@link System#nanoTime()} just before the status line was sent (after a held
   *     reply was released), on the clock of {@link Request#receivedNanos()}
   */
  public record Answer(Request request, int status, long sentNanos) {}

  /**
   * OpenAI's rate-limit headers, as it sends them with every reply (and a 429): the limits of
   * requests and tokens per interval, what is left of them, and when each is full again, as a Go
   * duration such as {@code 1s}, {@code 6m0s} or {@code 20ms}.
   *
   * @param limitRequests {@code x-ratelimit-limit-requests}
   * @param remainingRequests {@code x-ratelimit-remaining-requests}
   * @param resetRequests {@code x-ratelimit-reset-requests}, written as given (so that a test can
   *     send a malformed one)
   * @param limitTokens {@code x-ratelimit-limit-tokens}
   * @param remainingTokens {@code x-ratelimit-remaining-tokens}
   * @param resetTokens {@code x-ratelimit-reset-tokens}, written as given
   */
  public record RateLimits(
      long limitRequests, long remainingRequests, String resetRequests, long limitTokens, long remainingTokens,
      String resetTokens) {
    /**
     * Checks the values are present.
     *
     * @param limitRequests {@code x-ratelimit-limit-requests}
     * @param remainingRequests {@code x-ratelimit-remaining-requests}
     * @param resetRequests {@code x-ratelimit-reset-requests}
     * @param limitTokens {@code x-ratelimit-limit-tokens}
     * @param remainingTokens {@code x-ratelimit-remaining-tokens}
     * @param resetTokens {@code x-ratelimit-reset-tokens}
     */
    public RateLimits {
      Objects.requireNonNull(resetRequests, "resetRequests");
      Objects.requireNonNull(resetTokens, "resetTokens");
    }
  }

  /**
   * A reply the server sends.
   *
   * @param status the HTTP status
   * @param headers extra response headers
   * @param body the body
   * @param contentType its {@code Content-Type}
   * @param isHeld whether it waits for {@link FakeOpenAi#release()} before it is sent
   * @param events the data of the Server-Sent Events to stream instead of {@code body}, then
   *     {@code [DONE]}; empty for a plain reply
   * @param eventInterval the pause before each streamed event
   */
  public record Reply(
      int status, Map<String, String> headers, byte[] body, String contentType, boolean isHeld, List<String> events,
      Duration eventInterval) {
    /**
     * A reply; the headers and events are copied.
     *
     * @param status the HTTP status
     * @param headers extra response headers
     * @param body the body
     * @param contentType its {@code Content-Type}
     * @param isHeld whether it waits for {@link FakeOpenAi#release()} before it is sent
     * @param events the data of the Server-Sent Events to stream, or empty
     * @param eventInterval the pause before each streamed event
     */
    public Reply {
      headers = Map.copyOf(headers);
      events = List.copyOf(events);
      Objects.requireNonNull(eventInterval, "eventInterval");
    }

    /**
     * A plain (not streamed) reply.
     *
     * @param status the HTTP status
     * @param headers extra response headers
     * @param body the body
     * @param contentType its {@code Content-Type}
     * @param isHeld whether it waits for {@link FakeOpenAi#release()} before it is sent
     */
    public Reply(int status, Map<String, String> headers, byte[] body, String contentType, boolean isHeld) {
      this(status, headers, body, contentType, isHeld, List.of(), Duration.ZERO);
    }

    /**
     * A 200 reply that streams {@code events} as Server-Sent Events ({@code data: …}), one every
     * {@code interval}, then {@code data: [DONE]}, as OpenAI streams a completion.
     *
     * @param events the events' data, e.g. {@link OpenAiReplies#chatChunks}
     * @param interval the pause before each event
     * @return the reply
     */
    public static Reply stream(List<String> events, Duration interval) {
      return new Reply(200, Map.of(), new byte[0], "text/event-stream", false, events, interval);
    }

    /**
     * A JSON reply.
     *
     * @param status the HTTP status
     * @param body the JSON text (e.g. from {@link OpenAiReplies}); empty for no body
     * @return the reply
     */
    public static Reply json(int status, String body) {
      return new Reply(status, Map.of(), body.getBytes(StandardCharsets.UTF_8), "application/json", false);
    }

    /**
     * A 200 reply with raw bytes, e.g. an image to download.
     *
     * @param body the bytes
     * @param contentType their type, e.g. {@code image/png}
     * @return the reply
     */
    public static Reply bytes(byte[] body, String contentType) {
      return new Reply(200, Map.of(), body.clone(), contentType, false);
    }

    /**
     * An error reply with OpenAI's error body ({@link OpenAiReplies#error}).
     *
     * @param status the HTTP status, e.g. 400 or 500
     * @param type the error's type, e.g. {@code invalid_request_error}
     * @param code its code, e.g. {@code content_policy_violation}, or null
     * @param message its message
     * @return the reply
     */
    public static Reply error(int status, String type, @Nullable String code, String message) {
      return json(status, OpenAiReplies.error(type, code, message));
    }

    /**
     * A 429 {@code rate_limit_exceeded} reply with OpenAI's {@code retry-after-ms} and {@code
     * retry-after} headers.
     *
     * @param retryAfter how long the client is told to wait
     * @return the reply
     */
    public static Reply rateLimited(Duration retryAfter) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      return error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests")
          .withHeader("retry-after-ms", Long.toString(retryAfter.toMillis()))
          .withHeader("retry-after", Long.toString(seconds));
    }

    /**
     * A 429 {@code rate_limit_exceeded} reply with OpenAI's error body and no header that says
     * when to come back; add them with {@link #withHeader} (e.g. {@code Retry-After: 2}) or {@link
     * #withRateLimits}.
     *
     * @return the reply
     */
    public static Reply tooManyRequests() {
      return error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests");
    }

    /**
     * The same reply with OpenAI's six {@code x-ratelimit-*} headers.
     *
     * @param limits the values
     * @return a new reply
     */
    public Reply withRateLimits(RateLimits limits) {
      return withHeader("x-ratelimit-limit-requests", Long.toString(limits.limitRequests()))
          .withHeader("x-ratelimit-remaining-requests", Long.toString(limits.remainingRequests()))
          .withHeader("x-ratelimit-reset-requests", limits.resetRequests())
          .withHeader("x-ratelimit-limit-tokens", Long.toString(limits.limitTokens()))
          .withHeader("x-ratelimit-remaining-tokens", Long.toString(limits.remainingTokens()))
          .withHeader("x-ratelimit-reset-tokens", limits.resetTokens());
    }

    /**
     * The same reply with one more header.
     *
     * @param name the header's name
     * @param value its value
     * @return a new reply
     */
    public Reply withHeader(String name, String value) {
      Map<String, String> h = new HashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, body, contentType, isHeld, events, eventInterval);
    }

    /**
     * The same reply, sent only after {@link FakeOpenAi#release()} (or 30 s, or when the server
     * closes): a slow generation.
     *
     * @return a new reply
     */
    public Reply held() {
      return new Reply(status, headers, body, contentType, true, events, eventInterval);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-openai");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Deque<Reply>> replies = new HashMap<>();
  private final Map<String, Function<Request, Reply>> handlers = new HashMap<>();
  private final BlockingQueue<Request> untaken = new LinkedBlockingQueue<>();
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private final List<Answer> answered = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final BlockingQueue<Long> disconnects = new LinkedBlockingQueue<>();

  private FakeOpenAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts a server on a free port of 127.0.0.1.
   *
   * @return the running server; close it when done
   * @throws UncheckedIOException when it cannot listen
   */
  public static FakeOpenAi start() {
    try {
      return new FakeOpenAi();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The base URL to give an OpenAI client (openai-java's {@code baseUrl}, {@code OPENAI_BASE_URL}).
   *
   * @return {@code http://127.0.0.1:<port>/v1}
   */
  public String baseUrl() {
    return url("/v1");
  }

  /**
   * A URL on this server, e.g. outside the API for image downloads.
   *
   * @param path the path, starting with {@code /}
   * @return {@code http://127.0.0.1:<port><path>}
   */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * Queues a reply for the next request to {@code path} that finds no earlier reply queued.
   *
   * @param path the path, e.g. {@code /v1/images/generations}
   * @param reply the reply
   * @return this server
   */
  public FakeOpenAi on(String path, Reply reply) {
    Objects.requireNonNull(reply, "reply");
    synchronized (replies) {
      replies.computeIfAbsent(path, p -> new ArrayDeque<>()).add(reply);
    }
    return this;
  }

  /**
   * Answers every request to {@code path} that finds no reply queued by {@link #on} with what
   * {@code handler} makes of it (replacing an earlier handler of that path).
   *
   * @param path the path, e.g. {@code /v1/moderations}
   * @param handler makes the reply; it runs on the server's threads
   * @return this server
   */
  public FakeOpenAi onEvery(String path, Function<Request, Reply> handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (replies) {
      handlers.put(path, handler);
    }
    return this;
  }

  /**
   * The next request not taken yet, in the order they arrived, waiting up to 10 s.
   *
   * @return the request
   * @throws AssertionError when none arrived within 10 s
   */
  public Request take() {
    return take(TAKE_TIMEOUT);
  }

  /**
   * The next request not taken yet, in the order they arrived.
   *
   * @param timeout how long to wait for one
   * @return the request
   * @throws AssertionError when none arrived within {@code timeout}
   */
  public Request take(Duration timeout) {
    try {
      Request r = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (r == null) {
        throw new AssertionError("the fake OpenAI server received no request within " + timeout);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The requests received and not yet {@linkplain #take() taken}, without waiting.
   *
   * @return them, oldest first
   */
  public List<Request> pending() {
    return List.copyOf(untaken);
  }

  /**
   * Every request received, taken or not.
   *
   * @return them, oldest first
   */
  public List<Request> requests() {
    return List.copyOf(received);
  }

  /**
   * Every request received on one path, taken or not.
   *
   * @param path the path, e.g. {@code /v1/chat/completions}
   * @return them, oldest first
   */
  public List<Request> requests(String path) {
    List<Request> out = new ArrayList<>();
    for (Request r : received) {
      if (r.path().equals(path)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Every answer sent, in the order the status lines went out.
   *
   * @return them, oldest first
   */
  public List<Answer> answers() {
    return List.copyOf(answered);
  }

  /**
   * Every answer sent to requests on one path.
   *
   * @param path the path, e.g. {@code /v1/images/generations}
   * @return them, oldest first
   */
  public List<Answer> answers(String path) {
    List<Answer> out = new ArrayList<>();
    for (Answer a : answered) {
      if (a.request().path().equals(path)) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * The requests on {@code path} that arrived within {@code window} after {@code nanos} (a {@link
   * System#nanoTime()}, such as an {@link Answer#sentNanos()} of a 429), for a test that checks
   * that no client called while it was told to wait.
   *
   * @param path the path
   * @param nanos the start of the window, exclusive
   * @param window its length
   * @return those requests, oldest first
   */
  public List<Request> requestsWithin(String path, long nanos, Duration window) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests(path)) {
      long after = r.receivedNanos() - nanos;
      if (after > 0 && after < window.toNanos()) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Waits until a client went away in the middle of a streamed reply (the server's write failed).
   *
   * @param timeout how long to wait
   * @return {@link System#nanoTime()} when the server noticed
   * @throws AssertionError no client went away within {@code timeout}
   */
  public long awaitDisconnect(Duration timeout) {
    try {
      Long at = disconnects.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (at == null) {
        throw new AssertionError("no client went away from a streamed reply within " + timeout);
      }
      return at;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a disconnect", e);
    }
  }

  /** Lets every held reply go, and the ones held from now on go at once. */
  public void release() {
    release.countDown();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      Request request = new Request(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
          Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime());
      Reply reply;
      Function<Request, Reply> handler;
      synchronized (replies) {
        Deque<Reply> queue = replies.get(path);
        reply = queue == null ? null : queue.poll();
        handler = handlers.get(path);
      }
      received.add(request);
      untaken.add(request);
      if (reply == null) {
        reply = handler != null
            ? handler.apply(request)
            : Reply.error(500, "server_error", null, "the fake server has no reply scripted for " + path);
      }
      if (reply.events().isEmpty() && reply.status() == 200 && reply.contentType().equals("application/json")
          && wantsStream(request)) {
        // A streaming request answered with a scripted plain reply: a completion is streamed as
        // OpenAI would stream it; anything else (a broken body) comes as one event, as a proxy
        // that mangles a stream would send it.
        Reply plain = reply;
        String text = new String(plain.body(), StandardCharsets.UTF_8);
        List<String> events = isChatCompletion(text) ? OpenAiReplies.chunksOf(text) : List.of(text.replace('\n', ' '));
        reply = new Reply(200, plain.headers(), new byte[0], "text/event-stream", plain.isHeld(), events, Duration.ZERO);
      }
      if (!reply.events().isEmpty() && !wantsUsage(request)) {
        // OpenAI sends a stream's usage chunk only to a request that asks for it.
        reply = new Reply(reply.status(), reply.headers(), reply.body(), reply.contentType(), reply.isHeld(),
            reply.events().stream().filter(e -> !OpenAiReplies.isUsageChunk(e)).toList(), reply.eventInterval());
      }
      if (reply.isHeld()) {
        try {
          release.await(HOLD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.getResponseHeaders().add("Content-Type", reply.contentType());
      // Recorded before the status line goes out, so that a client that reacts to it (a 429)
      // finds its answer recorded.
      answered.add(new Answer(request, reply.status(), System.nanoTime()));
      if (!reply.events().isEmpty()) {
        stream(exchange, reply);
        return;
      }
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      exchange.getResponseBody().write(reply.body());
    } catch (IOException clientGone) {
      // The client aborted the call (cancellation, timeout): nothing to answer.
    }
  }

  private static boolean wantsStream(Request request) {
    try {
      return request.json().path("stream").asBoolean(false);
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static boolean wantsUsage(Request request) {
    try {
      return request.json().path("stream_options").path("include_usage").asBoolean(false);
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static boolean isChatCompletion(String json) {
    return json.contains("\"object\":\"chat.completion\"");
  }

  /** Streams the reply's events, each flushed on its own; a failed write means the client left. */
  private void stream(HttpExchange exchange, Reply reply) {
    try {
      exchange.sendResponseHeaders(reply.status(), 0); // chunked
      var out = exchange.getResponseBody();
      List<String> all = new ArrayList<>(reply.events());
      all.add("[DONE]");
      for (String event : all) {
        Thread.sleep(reply.eventInterval().toMillis());
        out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException clientGone) {
      disconnects.add(System.nanoTime());
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lets held replies go and stops the server. */
  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
