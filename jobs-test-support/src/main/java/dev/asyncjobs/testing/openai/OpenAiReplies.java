package dev.asyncjobs.testing.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reply bodies in the shapes the OpenAI API sends (captured from real responses and trimmed), that
 * pass openai-java's response validation; for {@link FakeOpenAi.Reply#json(int, String)}.
 */
public final class OpenAiReplies {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The moderation categories of {@code omni-moderation-latest}, each in every moderation result. */
  public static final List<String> MODERATION_CATEGORIES =
      List.of(
          "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
          "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic");

  private static final byte[] PNG_START = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'};

  private OpenAiReplies() {}

  /**
   * The start of a PNG file: the 8-byte signature and the IHDR chunk's length and name, enough for
   * format sniffing.
   *
   * @return a new copy of the 16 bytes
   */
  public static byte[] png() {
    return PNG_START.clone();
  }

  /**
   * A chat completion whose message content is {@code content}, finished with {@code stop},
   * counting 19 prompt and 10 completion tokens.
   *
   * @param model the model the reply names, e.g. {@code gpt-4o-mini}
   * @param content the assistant's message
   * @return the JSON body of {@code POST /v1/chat/completions}
   */
  public static String chat(String model, String content) {
    return chat(model, content, "stop", null);
  }

  /**
   * A chat completion with one choice, counting 19 prompt and 10 completion tokens.
   *
   * @param model the model the reply names
   * @param content the assistant's message, or null (e.g. with a refusal)
   * @param finishReason e.g. {@code stop}, {@code length}, {@code content_filter}
   * @param refusal the refusal text, or null
   * @return the JSON body of {@code POST /v1/chat/completions}
   */
  public static String chat(String model, @Nullable String content, String finishReason, @Nullable String refusal) {
    return chat(model, content, finishReason, refusal, 19, 10);
  }

  /**
   * A chat completion whose message content is {@code content}, finished with {@code stop}, that
   * counts the given tokens in its {@code usage}.
   *
   * @param model the model the reply names, e.g. {@code gpt-4o-mini-2024-07-18}
   * @param content the assistant's message
   * @param promptTokens {@code usage.prompt_tokens}
   * @param completionTokens {@code usage.completion_tokens}
   * @return the JSON body of {@code POST /v1/chat/completions}
   */
  public static String chat(String model, String content, long promptTokens, long completionTokens) {
    return chat(model, content, "stop", null, promptTokens, completionTokens);
  }

  private static String chat(
      String model, @Nullable String content, String finishReason, @Nullable String refusal, long promptTokens,
      long completionTokens) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
    root.put("object", "chat.completion");
    root.put("created", 1741569952);
    root.put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    message.put("refusal", refusal);
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    root.set("usage", chatUsage(promptTokens, completionTokens));
    root.put("service_tier", "default");
    root.put("system_fingerprint", "fp_06737a9306");
    return root.toString();
  }

  /**
   * The chunks OpenAI streams for a chat completion ({@code "stream": true} with {@code
   * stream_options.include_usage}): the role, one chunk per text delta, the finish reason, then the
   * usage (19 prompt tokens, one completion token a delta); feed them to {@link FakeOpenAi.Reply#stream}.
   *
   * @param model the model the chunks name
   * @param deltas the text, piece by piece
   * @param finishReason e.g. {@code stop} or {@code length}
   * @return the JSON text of each chunk, in order
   */
  public static List<String> chatChunks(String model, List<String> deltas, String finishReason) {
    return chatChunks(model, deltas, finishReason, 19, deltas.size());
  }

  /**
   * The chunks OpenAI streams for a chat completion, as {@link #chatChunks(String, List, String)},
   * whose last chunk counts the given tokens.
   *
   * @param model the model the chunks name
   * @param deltas the text, piece by piece
   * @param finishReason e.g. {@code stop} or {@code length}
   * @param promptTokens the last chunk's {@code usage.prompt_tokens}
   * @param completionTokens the last chunk's {@code usage.completion_tokens}
   * @return the JSON text of each chunk, in order
   */
  public static List<String> chatChunks(
      String model, List<String> deltas, String finishReason, long promptTokens, long completionTokens) {
    List<String> out = new ArrayList<>();
    out.add(chunk(model, JSON.createObjectNode().put("role", "assistant").put("content", ""), null).toString());
    for (String d : deltas) {
      out.add(chunk(model, JSON.createObjectNode().put("content", d), null).toString());
    }
    out.add(chunk(model, JSON.createObjectNode(), finishReason).toString());
    out.add(usageChunk(model, chatUsage(promptTokens, completionTokens)));
    return out;
  }

  /**
   * A chat completion's {@code usage} as OpenAI writes it: the counts, their total and the
   * details (nothing cached, no reasoning or audio).
   */
  private static ObjectNode chatUsage(long promptTokens, long completionTokens) {
    ObjectNode u = JSON.createObjectNode();
    u.put("prompt_tokens", promptTokens);
    u.put("completion_tokens", completionTokens);
    u.put("total_tokens", promptTokens + completionTokens);
    u.putObject("prompt_tokens_details").put("cached_tokens", 0).put("audio_tokens", 0);
    u.putObject("completion_tokens_details")
        .put("reasoning_tokens", 0).put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0);
    return u;
  }

  /** The last chunk of a stream with {@code include_usage}: no choices, only the usage. */
  private static String usageChunk(String model, JsonNode usage) {
    ObjectNode chunk = chunk(model, null, null);
    chunk.set("usage", usage.deepCopy());
    return chunk.toString();
  }

  /**
   * Whether an event of a stream is its usage chunk ({@link #chatChunks}' last): a chat completion
   * chunk without choices whose {@code usage} is set. Any other event, JSON or not, is not.
   */
  static boolean isUsageChunk(String event) {
    JsonNode c;
    try {
      c = JSON.readTree(event);
    } catch (java.io.IOException notJson) {
      return false;
    }
    return c != null && "chat.completion.chunk".equals(c.path("object").asText()) && c.path("choices").isEmpty()
        && c.path("usage").isObject();
  }

  /**
   * The chunks OpenAI would stream for a chat completion reply ({@link #chat}): its content word by
   * word (or its refusal), its finish reason and its usage. The fake server answers a streaming
   * request this way when a plain completion was scripted for it.
   *
   * @param completionJson a chat completion, as {@link #chat} writes it
   * @return the JSON text of each chunk, in order
   */
  public static List<String> chunksOf(String completionJson) {
    JsonNode c = read(completionJson);
    String model = c.path("model").asText();
    JsonNode choice = c.path("choices").path(0);
    JsonNode message = choice.path("message");
    List<String> out = new ArrayList<>();
    out.add(chunk(model, JSON.createObjectNode().put("role", "assistant").put("content", ""), null).toString());
    if (message.hasNonNull("content")) {
      for (String word : message.get("content").asText().split("(?<= )")) {
        out.add(chunk(model, JSON.createObjectNode().put("content", word), null).toString());
      }
    }
    if (message.hasNonNull("refusal")) {
      out.add(chunk(model, JSON.createObjectNode().put("refusal", message.get("refusal").asText()), null).toString());
    }
    out.add(chunk(model, JSON.createObjectNode(), choice.path("finish_reason").asText("stop")).toString());
    if (c.path("usage").isObject()) {
      // A reply without usage streams without the usage chunk, as a server that ignores include_usage.
      out.add(usageChunk(model, c.get("usage")));
    }
    return out;
  }

  private static ObjectNode chunk(String model, @Nullable ObjectNode delta, @Nullable String finishReason) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
    root.put("object", "chat.completion.chunk");
    root.put("created", 1741569952);
    root.put("model", model);
    root.put("service_tier", "default");
    root.put("system_fingerprint", "fp_06737a9306");
    ArrayNode choices = root.putArray("choices");
    if (delta != null) {
      ObjectNode choice = choices.addObject();
      choice.put("index", 0);
      choice.set("delta", delta);
      choice.putNull("logprobs");
      if (finishReason == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finishReason);
      }
    }
    root.putNull("usage");
    return root;
  }

  /**
   * An images reply with one URL to download the image from.
   *
   * @param url where the image is
   * @param revisedPrompt the prompt as the model rewrote it
   * @return the JSON body of {@code POST /v1/images/generations}
   */
  public static String imageUrl(String url, String revisedPrompt) {
    ObjectNode root = JSON.createObjectNode();
    root.put("created", 1713833628);
    ObjectNode image = root.putArray("data").addObject();
    image.put("url", url);
    image.put("revised_prompt", revisedPrompt);
    return root.toString();
  }

  /**
   * An images reply with the image inline.
   *
   * @param bytes the image
   * @return the JSON body of {@code POST /v1/images/generations}, the bytes in {@code b64_json}
   */
  public static String imageB64(byte[] bytes) {
    ObjectNode root = JSON.createObjectNode();
    root.put("created", 1713833628);
    root.putArray("data").addObject().put("b64_json", Base64.getEncoder().encodeToString(bytes));
    return root.toString();
  }

  /**
   * An images reply as a GPT image model ({@code gpt-image-1}) sends it: the image inline and the
   * tokens it counted, the prompt's text as input, the image as output.
   *
   * @param bytes the image
   * @param inputTokens {@code usage.input_tokens}, all of them text tokens
   * @param outputTokens {@code usage.output_tokens}
   * @return the JSON body of {@code POST /v1/images/generations}
   */
  public static String gptImage(byte[] bytes, long inputTokens, long outputTokens) {
    ObjectNode root = (ObjectNode) read(imageB64(bytes));
    ObjectNode usage = root.putObject("usage");
    usage.put("input_tokens", inputTokens);
    usage.putObject("input_tokens_details").put("text_tokens", inputTokens).put("image_tokens", 0);
    usage.put("output_tokens", outputTokens);
    usage.put("total_tokens", inputTokens + outputTokens);
    return root.toString();
  }

  /**
   * The same reply without its {@code usage}, as a compatible server that counts nothing sends it
   * (streamed, it then has no usage chunk either).
   *
   * @param reply a chat completion or an images reply, e.g. from {@link #chat} or {@link #gptImage}
   * @return the JSON body without {@code usage}
   */
  public static String withoutUsage(String reply) {
    JsonNode root = read(reply);
    if (!(root instanceof ObjectNode o) || !o.has("usage")) {
      throw new IllegalArgumentException("not a reply with a usage: " + reply);
    }
    o.remove("usage");
    return o.toString();
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A moderation reply with one result per text, only the first flagged.
   *
   * @param texts how many texts were sent (one result each)
   * @param fired the categories flagged in the first result; none for a clean one
   * @return the JSON body of {@code POST /v1/moderations}
   */
  public static String moderation(int texts, Set<String> fired) {
    List<Set<String>> each = new ArrayList<>();
    for (int i = 0; i < texts; i++) {
      each.add(i == 0 ? fired : Set.of());
    }
    return moderation(each);
  }

  /**
   * A moderation reply with one result per text.
   *
   * @param firedPerText for each text, the categories flagged in its result (empty: not flagged)
   * @return the JSON body of {@code POST /v1/moderations}
   */
  public static String moderation(List<Set<String>> firedPerText) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "modr-970d409ef3bef3b70c73d8232df86e7d");
    root.put("model", "omni-moderation-latest");
    ArrayNode results = root.putArray("results");
    for (Set<String> here : firedPerText) {
      ObjectNode r = results.addObject();
      r.put("flagged", !here.isEmpty());
      ObjectNode categories = r.putObject("categories");
      ObjectNode scores = r.putObject("category_scores");
      ObjectNode applied = r.putObject("category_applied_input_types");
      for (String c : MODERATION_CATEGORIES) {
        categories.put(c, here.contains(c));
        scores.put(c, here.contains(c) ? 0.91 : 0.0001);
        applied.putArray(c).add("text");
      }
    }
    return root.toString();
  }

  /**
   * An error body as OpenAI sends it with a 4xx or 5xx status.
   *
   * @param type the error's type, e.g. {@code invalid_request_error}, {@code server_error}
   * @param code its code, e.g. {@code rate_limit_exceeded}, or null
   * @param message its message
   * @return {@code {"error":{"message":…,"type":…,"param":null,"code":…}}}
   */
  public static String error(String type, @Nullable String code, String message) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.putNull("param");
    error.put("code", code);
    return root.toString();
  }
}
