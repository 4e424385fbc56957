package dev.asyncjobs.examples.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local JDK HttpServer that answers like the OpenAI API for the two calls a text job makes:
 * moderation (flags any text containing "forbidden" as violence) and chat completions. Reply
 * shapes are the ones openai-java's response validation accepts (see BUILD-NOTES).
 */
public final class FakeOpenAi implements AutoCloseable {
  /** What every chat completion answers. */
  public static final String CHAT_REPLY = "A durable queue keeps slow work safe until a worker is free.";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CATEGORIES = List.of(
      "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
      "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic");

  private final HttpServer server;
  private final AtomicInteger chatCalls = new AtomicInteger();
  private final AtomicBoolean moderationDown = new AtomicBoolean();

  /** Starts on a free port of 127.0.0.1. */
  public FakeOpenAi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/moderations", this::moderation);
    server.createContext("/v1/chat/completions", this::chat);
    server.start();
  }

  /** The base URL to give as {@code OPENAI_BASE_URL}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Chat completions answered so far. */
  public int chatCalls() {
    return chatCalls.get();
  }

  /** Makes the moderation endpoint answer 500 (or work again). */
  public void moderationDown(boolean down) {
    moderationDown.set(down);
  }

  private void moderation(HttpExchange exchange) throws IOException {
    JsonNode request = JSON.readTree(exchange.getRequestBody());
    if (moderationDown.get()) {
      reply(exchange, 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
      return;
    }
    JsonNode input = request.get("input");
    ObjectNode root = JSON.createObjectNode().put("id", "modr-1").put("model", "omni-moderation-latest");
    ArrayNode results = root.putArray("results");
    for (JsonNode text : input.isArray() ? input : JSON.createArrayNode().add(input)) {
      boolean fired = text.asText().contains("forbidden");
      ObjectNode r = results.addObject().put("flagged", fired);
      ObjectNode categories = r.putObject("categories");
      ObjectNode scores = r.putObject("category_scores");
      ObjectNode applied = r.putObject("category_applied_input_types");
      for (String c : CATEGORIES) {
        boolean hit = fired && c.equals("violence");
        categories.put(c, hit);
        scores.put(c, hit ? 0.93 : 0.0001);
        applied.putArray(c).add("text");
      }
    }
    reply(exchange, 200, root.toString());
  }

  private void chat(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    chatCalls.incrementAndGet();
    ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
        .put("created", 1741569952).put("model", "gpt-4o-mini");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", CHAT_REPLY).putNull("refusal")
        .putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    root.putObject("usage").put("prompt_tokens", 19).put("completion_tokens", 12).put("total_tokens", 31);
    reply(exchange, 200, root.toString());
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
