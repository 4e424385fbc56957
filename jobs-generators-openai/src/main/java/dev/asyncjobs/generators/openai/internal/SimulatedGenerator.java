package dev.asyncjobs.generators.openai.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.util.function.Function;

/**
 * A simulated generator: a chat model writes a document of a fixed shape (structured outputs),
 * which is then checked and post-processed into the result.
 *
 * @param <P> the payload record
 * @param <L> the checked plan
 * @param <R> the reply record whose JSON schema the model must follow
 */
abstract class SimulatedGenerator<P, L, R> extends PlannedGenerator<P, L> {
  static final String MODEL_SETTING = "openai.simulationModel";

  private final StructuredChat chat;
  private final String model;
  private final String what;
  private final Class<R> replyType;
  private final long maxTokens;
  private final String schema;

  SimulatedGenerator(
      JobType<P> type, Function<P, String> prompt, OpenAiBackend backend, String model, String what,
      Class<R> replyType, long maxTokens) {
    super(type, prompt, model);
    this.chat = new StructuredChat(backend);
    this.model = model;
    this.what = what;
    this.replyType = replyType;
    this.maxTokens = maxTokens;
    this.schema = responseFormat(replyType);
  }

  /**
   * {@return the tokens the request may use: its messages and its response format (the reply's
   * JSON schema, which OpenAI counts as input) at four characters a token, plus the reply's token
   * limit}
   */
  @Override
  public final long estimateUnits(P payload) {
    L plan = plan(payload);
    return Limits.chatTokens(maxTokens, instructions(plan), request(plan), schema);
  }

  /** The {@code response_format} sent for {@code replyType}, as JSON: fixed per generator. */
  private static String responseFormat(Class<?> replyType) {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder().model("m").addUserMessage("").responseFormat(replyType).build().rawParams();
    try {
      return ObjectMappers.jsonMapper().writeValueAsString(params._responseFormat());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the response format of " + replyType.getName(), e);
    }
  }

  /** The system message: what to write and in which shape. */
  abstract String instructions(L plan);

  /** The user message: the user's prompt. */
  abstract String request(L plan);

  /**
   * Checks the reply and builds the result.
   *
   * @throws dev.asyncjobs.PermanentGenerationException the reply does not make sense
   */
  abstract Object postProcess(L plan, StructuredChat.Reply<R> reply);

  /** Streams parts of the result before it is returned (a storyboard's scenes); none by default. */
  void emitParts(Object result, JobContext context) {}

  @Override
  final Object run(L plan, JobContext context) {
    Object result = postProcess(plan, chat.ask(context, what, model, MODEL_SETTING, instructions(plan), request(plan), replyType, maxTokens));
    emitParts(result, context);
    return result;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + model + "]";
  }
}
