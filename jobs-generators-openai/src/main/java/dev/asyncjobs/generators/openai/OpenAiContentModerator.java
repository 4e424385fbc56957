package dev.asyncjobs.generators.openai;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIException;
import com.openai.models.moderations.Moderation;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import dev.asyncjobs.ContentModerator;
import dev.asyncjobs.ModerationResult;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContentModerator} on OpenAI's moderations endpoint: a text that OpenAI flags is refused
 * with the categories that fired (e.g. {@code harassment}, {@code violence/graphic}). When the
 * endpoint cannot answer (network, rate limit, server error, bad key, malformed reply) it fails
 * closed by default, refusing the create with {@link ModerationUnavailableException}; configured
 * to fail open, it lets the text through and logs a warning.
 *
 * <p>Get one from {@link OpenAiGenerators#moderator()}; it shares that instance's client.
 */
public final class OpenAiContentModerator implements ContentModerator {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiContentModerator.class);

  private final OpenAIClient client;
  private final String model;
  private final boolean failOpen;
  private final Duration timeout;

  OpenAiContentModerator(OpenAIClient client, String model, boolean failOpen, Duration timeout) {
    this.client = client;
    this.model = model;
    this.failOpen = failOpen;
    this.timeout = timeout;
  }

  /** {@return the moderation model, e.g} {@code omni-moderation-latest}. */
  public String model() {
    return model;
  }

  /**
   * {@return whether an outage lets texts through (fail open) rather than refusing them (fail
   * closed)}
   */
  public boolean failsOpen() {
    return failOpen;
  }

  /**
   * {@inheritDoc}
   *
   * @throws ModerationUnavailableException the endpoint could not judge the texts and this
   *     moderator fails closed
   */
  @Override
  public ModerationResult moderate(String ownerId, String type, List<String> texts) {
    if (texts.isEmpty()) {
      return ModerationResult.allowed();
    }
    ModerationCreateResponse response;
    try {
      response = client.moderations().create(ModerationCreateParams.builder().model(model).inputOfStrings(texts).build());
    } catch (OpenAIException e) {
      return unavailable(type, describe(e), e);
    }
    if (response.results().size() != texts.size()) {
      return unavailable(
          type, "the reply has " + response.results().size() + " results for " + texts.size() + " texts", null);
    }
    Set<String> fired = new TreeSet<>();
    boolean flagged = false;
    for (Moderation result : response.results()) {
      if (result.flagged()) {
        flagged = true;
        fired.addAll(categoriesOf(result));
      }
    }
    if (!flagged) {
      return ModerationResult.allowed();
    }
    if (fired.isEmpty()) {
      fired.add("flagged");
    }
    return ModerationResult.flagged(fired, "OpenAI moderation flagged the text for " + String.join(", ", fired));
  }

  /** The categories of a result that are true, by their API names ({@code self-harm/intent}). */
  private static Set<String> categoriesOf(Moderation result) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, JsonValue> e : result.categories()._allProperties().entrySet()) {
      Optional<?> value = e.getValue().asBoolean();
      if (value.isPresent() && Boolean.TRUE.equals(value.get())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  private ModerationResult unavailable(String type, String why, @org.jspecify.annotations.Nullable Throwable cause) {
    if (failOpen) {
      LOG.warn("OpenAI moderation is unavailable ({}); allowing the {} text because the moderator fails open", why, type);
      return ModerationResult.allowed();
    }
    throw new ModerationUnavailableException(
        "content moderation is unavailable, so the job was not created (OpenAI moderation: " + why + "); try again later",
        cause);
  }

  private String describe(OpenAIException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof InterruptedIOException) {
        return "no answer within " + timeout.toMillis() + " ms (openai.moderationTimeout)";
      }
    }
    if (e instanceof com.openai.errors.OpenAIServiceException s) {
      return "HTTP " + s.statusCode() + s.code().map(c -> " " + c).orElse("");
    }
    if (e instanceof com.openai.errors.OpenAIInvalidDataException) {
      return "malformed reply: " + e.getMessage();
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  @Override
  public String toString() {
    return "OpenAiContentModerator[" + model + (failOpen ? ", fails open" : ", fails closed") + "]";
  }
}
