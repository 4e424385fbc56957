package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import java.io.UncheckedIOException;

/** Reading and writing JSON on a Javalin context, with one mapper for the whole API. */
final class HttpIo {
  // Trailing tokens are refused: "{...} x" is not a JSON body, whatever the first object says.
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private HttpIo() {}

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(bytes(body));
  }

  static void problem(Context ctx, Problem problem) {
    problem.headers().forEach(ctx::header);
    ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE).result(bytes(problem.body(ctx.path())));
  }

  static String text(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
