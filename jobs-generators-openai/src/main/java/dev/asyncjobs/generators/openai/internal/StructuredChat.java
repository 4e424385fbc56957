package dev.asyncjobs.generators.openai.internal;

import com.openai.errors.OpenAIInvalidDataException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.TokenUsage;
import org.jspecify.annotations.Nullable;

/**
 * Asks a chat model for a JSON document of a given shape, with structured outputs: the reply
 * record's JSON schema (strict) is sent as {@code response_format}, so the model can only answer
 * in that shape, and the answer is read back into the record.
 */
final class StructuredChat {
  /** A parsed answer, the model that wrote it and what it cost. */
  record Reply<T>(T content, String model, @Nullable TokenUsage usage) {}

  private final OpenAiBackend backend;

  StructuredChat(OpenAiBackend backend) {
    this.backend = backend;
  }

  /**
   * @param what for messages, e.g. {@code video storyboard}
   * @param maxTokens the reply's token limit; a reply cut off there is a permanent failure (the
   *     JSON would be incomplete)
   */
  <T> Reply<T> ask(
      JobContext context, String what, String model, String modelSetting, String instructions, String request,
      Class<T> shape, long maxTokens) {
    StructuredChatCompletionCreateParams<T> params =
        ChatCompletionCreateParams.builder()
            .model(model)
            .addSystemMessage(instructions)
            .addUserMessage(request)
            .maxCompletionTokens(maxTokens)
            .safetyIdentifier(OpenAiBackend.safetyId(context.ownerId()))
            .responseFormat(shape)
            .build();
    context.progress(Stages.REQUEST_SENT, "request sent to OpenAI (" + model + ")");
    StructuredChatCompletion<T> completion =
        backend.call(context, what, model, modelSetting, c -> c.chat().completions().create(params));
    // The tokens were spent whatever the checks below make of the reply.
    Spent.chat(context, model, completion.model(), completion.usage());
    context.progress(Stages.RESPONSE_RECEIVED, "response received");
    if (completion.choices().isEmpty()) {
      throw ErrorMapper.malformed(what, "the reply has no choices", null);
    }
    StructuredChatCompletion.Choice<T> choice = completion.choices().get(0);
    ChatReplies.requireAnswered(what, choice.finishReason(), choice.message().refusal());
    if (ChatReplies.cutOff(choice.finishReason())) {
      throw ErrorMapper.malformed(what, "the reply was cut off at the token limit (" + maxTokens + "), so its JSON is incomplete", null);
    }
    T content;
    try {
      content = choice.message().content().orElse(null);
    } catch (OpenAIInvalidDataException e) {
      throw ErrorMapper.malformed(what, "the JSON the model wrote does not match the schema: " + e.getMessage(), e);
    }
    if (content == null) {
      throw ErrorMapper.malformed(what, "the reply has no content", null);
    }
    return new Reply<>(content, completion.model(), ChatReplies.usage(completion.usage()));
  }
}
