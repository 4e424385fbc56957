package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.Context;
import io.javalin.http.RequestTimeoutResponse;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;

/** Reading and writing JSON on a Javalin context, with one mapper for the whole API. */
final class HttpIo {
  // Trailing tokens are refused: "{...} x" is not a JSON body, whatever the first object says.
  // Decimals (usage quantities) go out as written, never as 1E-7.
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private HttpIo() {}

  /**
   * The request body. A body cut off by the idle timeout or the minimum body rate surfaces as
   * Javalin's 408, so that it is answered as a problem like any other refusal (Javalin would
   * otherwise answer a bare text/plain 408 of its own).
   */
  static byte[] body(Context ctx) {
    try {
      return ctx.bodyAsBytes();
    } catch (RuntimeException e) {
      if (causedByTimeout(e)) {
        throw new RequestTimeoutResponse();
      }
      throw e;
    } catch (Exception e) {
      // Kotlin lets Javalin throw the servlet's IOException undeclared.
      if (causedByTimeout(e)) {
        throw new RequestTimeoutResponse();
      }
      throw new UncheckedIOException(new java.io.IOException("the request body could not be read", e));
    }
  }

  private static boolean causedByTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

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
