package dev.asyncjobs.generators.openai.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIRetryableException;
import com.openai.errors.OpenAIServiceException;
import dev.asyncjobs.GenerationException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.RetryableGenerationException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Turns openai-java's exceptions into the job runtime's: a rate limit (429) is a {@link
 * RateLimitedException} on the model's resource, with the wait the headers ask for; server errors
 * and network trouble are retryable (with the server's Retry-After); refusals and bad requests are
 * permanent, with a message that tells the user or operator what to do.
 */
public final class ErrorMapper {
  private final Clock clock;
  private final String baseUrl;
  private final Duration timeout;

  /** A mapper whose messages name {@code baseUrl} and {@code timeout}. */
  public ErrorMapper(Clock clock, String baseUrl, Duration timeout) {
    this.clock = clock;
    this.baseUrl = baseUrl;
    this.timeout = timeout;
  }

  /**
   * The failure of one call.
   *
   * @param what what was asked, e.g. {@code image generation}
   * @param model the model asked for
   * @param modelSetting the setting that names the model, e.g. {@code openai.imageModel}
   */
  public GenerationException map(OpenAIException e, String what, String model, String modelSetting) {
    if (e instanceof OpenAIServiceException s) {
      return service(s, what, model, modelSetting);
    }
    if (e instanceof OpenAIIoException io) {
      if (hasCause(io, InterruptedIOException.class)) {
        return new RetryableGenerationException(
            "OpenAI did not answer the " + what + " request within " + seconds(timeout)
                + " (timeout, openai.timeout); another attempt may succeed", null, e);
      }
      return new RetryableGenerationException(
          "could not reach OpenAI at " + baseUrl + " for " + what + ": " + rootMessage(io), null, e);
    }
    if (e instanceof OpenAIInvalidDataException) {
      String detail = e.getCause() == null ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + rootMessage(e) + ")";
      return malformed(what, detail, e);
    }
    if (e instanceof OpenAIRetryableException) {
      return new RetryableGenerationException("OpenAI " + what + " failed: " + e.getMessage(), null, e);
    }
    return new RetryableGenerationException("OpenAI " + what + " failed: " + e.getMessage(), null, e);
  }

  /** A reply that does not have the shape we asked for: permanent, saying what was wrong. */
  public static PermanentGenerationException malformed(String what, String problem, @Nullable Throwable cause) {
    return new PermanentGenerationException("OpenAI returned a malformed response to " + what + ": " + problem, cause);
  }

  private GenerationException service(OpenAIServiceException e, String what, String model, String modelSetting) {
    int status = e.statusCode();
    String code = e.code().orElse("");
    String detail = apiMessage(e);
    String codeNote = code.isEmpty() ? "" : " " + code;
    if (status == 429) {
      if ("insufficient_quota".equals(code)) {
        return new PermanentGenerationException(
            "OpenAI refused " + what + " (429 insufficient_quota): " + detail
                + ". The account has run out of credit; check the plan and billing of the API key's organization", e);
      }
      // The model's resource, not the job's: every job type on this model waits, on every worker.
      RetryAfter.Wait wait = RetryAfter.rateLimit(name -> e.headers().values(name), clock);
      String resource = Limits.resource(model);
      return new RateLimitedException(
          resource, wait.duration(),
          "OpenAI rate limit reached for " + what + " (429" + codeNote + "): " + detail + "; retrying " + resource
              + " after " + millis(wait.duration()) + " (" + wait.source() + ")", e);
    }
    if (status >= 500 || status == 408 || status == 409) {
      Duration after = RetryAfter.parse(name -> e.headers().values(name), clock);
      return new RetryableGenerationException(
          "OpenAI failed on " + what + " (" + status + codeNote + "): " + detail + "; another attempt may succeed", after, e);
    }
    String advice =
        switch (status) {
          case 400 -> "content_policy_violation".equals(code)
              ? "OpenAI refused the prompt under its content policy (400 content_policy_violation): " + detail
                  + ". Rephrase the prompt and create a new job"
              : "OpenAI rejected the " + what + " request (400" + codeNote + "): " + detail
                  + e.param().map(p -> " (parameter '" + p + "')").orElse("");
          case 401 -> "OpenAI rejected the API key (401" + codeNote + "): " + detail
              + ". Check the openai.apiKey setting or the OPENAI_API_KEY environment variable";
          case 403 -> "OpenAI refused access to " + what + " with model '" + model + "' (403" + codeNote + "): " + detail
              + ". The key's organization or project may lack access to this model, or the region is not supported";
          case 404 -> "OpenAI has no model or endpoint for " + what + " (404" + codeNote + "): " + detail
              + ". Check the model name '" + model + "' (" + modelSetting + ") and openai.baseUrl (" + baseUrl + ")";
          default -> "OpenAI rejected the " + what + " request (" + status + codeNote + "): " + detail;
        };
    return new PermanentGenerationException(advice, e);
  }

  /** The {@code error.message} of the body, else the SDK's message. */
  private static String apiMessage(OpenAIServiceException e) {
    try {
      JsonNode body = e.body().convert(JsonNode.class);
      if (body != null) {
        JsonNode m = body.has("error") ? body.path("error").path("message") : body.path("message");
        if (m.isTextual() && !m.asText().isBlank()) {
          return m.asText();
        }
      }
    } catch (RuntimeException ignored) {
      // An unreadable body: fall back to the SDK's message.
    }
    String m = String.valueOf(e.getMessage());
    return m.replaceFirst("^\\d{3}: ", "");
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }
}
