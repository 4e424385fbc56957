package dev.asyncjobs.generators.openai.internal;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.generators.openai.TextGenerationPayload;
import dev.asyncjobs.generators.openai.TextGenerationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * {@code text_generation}: an article, email, social post, product description, summary, ad or
 * story, written by a chat model. Kind, tone, audience and length become the system message.
 */
public final class TextGenerator extends PlannedGenerator<TextGenerationPayload, TextGenerator.Plan> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.TEXT.name();
  static final String MODEL_SETTING = "openai.textModel";
  static final String WHAT = "text generation";

  /** A kind of text and how to write it. */
  enum Kind implements Choice {
    ARTICLE("Write a well-structured article with a title and short paragraphs."),
    BLOG_POST("Write a blog post with a catchy title, an engaging opening and skimmable sections."),
    EMAIL("Write an email with a subject line, a greeting, a clear body and a sign-off."),
    SOCIAL_POST("Write a social media post: concise, engaging, with at most three relevant hashtags."),
    PRODUCT_DESCRIPTION("Write a product description that leads with the main benefit, then the key features."),
    SUMMARY("Summarize the text the user provides faithfully, keeping its key points and adding nothing."),
    AD_COPY("Write advertising copy with a headline, one or two sentences of body and a call to action."),
    STORY("Write a short story with a clear beginning, middle and end.");

    final String instruction;

    Kind(String instruction) {
      this.instruction = instruction;
    }
  }

  /** A tone. */
  enum Tone implements Choice {
    NEUTRAL, PROFESSIONAL, FRIENDLY, CASUAL, FORMAL, PERSUASIVE, HUMOROUS, ENTHUSIASTIC, EMPATHETIC
  }

  /** A length: the words asked for and the token limit that leaves room for them. */
  enum Length implements Choice {
    SHORT(100, 400), MEDIUM(300, 1000), LONG(800, 2500);

    final int words;
    final long maxTokens;

    Length(int words, long maxTokens) {
      this.words = words;
      this.maxTokens = maxTokens;
    }
  }

  /** What a payload asks for, checked. */
  record Plan(String prompt, Kind kind, Tone tone, @Nullable String audience, Length length) {}

  private final OpenAiBackend backend;
  private final String model;

  /** The generator for {@code model}. */
  public TextGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.TEXT, TextGenerationPayload::prompt, model);
    this.backend = backend;
    this.model = model;
  }

  @Override
  public Duration estimate(TextGenerationPayload payload) {
    Length length = PayloadRules.choice("payload.length", payload.length(), Length.class, Length.MEDIUM);
    return Duration.ofSeconds(3 + length.words / 40);
  }

  /**
   * {@return the tokens the request may use: its messages at four characters a token, plus the
   * length's token limit} OpenAI's token limits count a request this way before running it.
   */
  @Override
  public long estimateUnits(TextGenerationPayload payload) {
    Plan plan = plan(payload);
    return Limits.chatTokens(plan.length().maxTokens, instructions(plan), plan.prompt());
  }

  @Override
  public List<String> moderationText(TextGenerationPayload payload) {
    List<String> texts = new ArrayList<>(2);
    texts.add(payload.prompt());
    if (payload.audience() != null && !payload.audience().isBlank()) {
      texts.add(payload.audience());
    }
    return texts;
  }

  @Override
  Object run(Plan plan, JobContext context) {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model(model)
            .addSystemMessage(instructions(plan))
            .addUserMessage(plan.prompt())
            .maxCompletionTokens(plan.length().maxTokens)
            .safetyIdentifier(OpenAiBackend.safetyId(context.ownerId()))
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    context.progress(Stages.REQUEST_SENT, "request sent to OpenAI (" + model + ")");
    ChatCompletion completion = backend.call(context, WHAT, model, MODEL_SETTING, c -> streamed(c, params, context));
    context.progress(Stages.RESPONSE_RECEIVED, "response received");
    if (completion.choices().isEmpty()) {
      throw ErrorMapper.malformed(WHAT, "the reply has no choices", null);
    }
    ChatCompletion.Choice choice = completion.choices().get(0);
    ChatReplies.requireAnswered("text", choice.finishReason(), choice.message().refusal());
    String text = choice.message().content().map(String::strip).orElse("");
    if (text.isEmpty()) {
      throw ErrorMapper.malformed(WHAT, "the reply's message has no content", null);
    }
    return new TextGenerationResult(
        text, plan.kind().wire(), plan.tone().wire(), plan.length().wire(), plan.audience(), completion.model(),
        choice.finishReason().asString(), ChatReplies.cutOff(choice.finishReason()), ChatReplies.usage(completion.usage()));
  }

  /**
   * Streams the completion: each text delta goes to the job's readers as it arrives ({@link
   * JobContext#appendText}), and the chunks add up to the same {@link ChatCompletion} a plain call
   * returns (finish reason, refusal, usage), which the result is made of. Runs on the call runner's
   * thread, so a cancel aborts the HTTP stream itself.
   *
   * <p>The usage comes in the stream's last chunk ({@code stream_options.include_usage}) and is
   * reported when the stream ends, however it ends, before the reply is checked: the tokens were
   * spent whatever the checks make of it. Only the last usage seen counts, since some compatible
   * servers repeat a running total in every chunk.
   */
  private ChatCompletion streamed(OpenAIClient client, ChatCompletionCreateParams params, JobContext context) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    AtomicReference<@Nullable ChatCompletionChunk> counted = new AtomicReference<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        if (chunk.usage().isPresent()) {
          counted.set(chunk); // before the accumulator, which may refuse the chunk
        }
        try {
          accumulator.accumulate(chunk);
        } catch (IllegalStateException unfinished) {
          // The accumulator builds the completion at the usage chunk and refuses a choice that has
          // not finished: a broken reply, which no retry mends.
          throw ErrorMapper.malformed(WHAT, "the stream's chunks do not add up to a completion: " + unfinished.getMessage(), unfinished);
        }
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().content().filter(d -> !d.isEmpty()).ifPresent(context::appendText);
        }
      });
    } finally {
      ChatCompletionChunk last = counted.get();
      if (last != null) {
        Spent.chat(context, model, last.model(), last.usage());
      }
    }
    try {
      return accumulator.chatCompletion();
    } catch (IllegalStateException unfinished) {
      throw ErrorMapper.malformed(WHAT, "the stream ended before its final chunk", unfinished);
    }
  }

  /** The system message: what to write, for whom, how long, and in which tone. */
  static String instructions(Plan plan) {
    StringBuilder sb = new StringBuilder("You are a skilled professional writer. ").append(plan.kind().instruction);
    if (plan.tone() != Tone.NEUTRAL) {
      sb.append(" Use a ").append(plan.tone().wire()).append(" tone.");
    }
    if (plan.audience() != null) {
      sb.append(" Write for this audience: ").append(plan.audience()).append('.');
    }
    sb.append(" Aim for about ").append(plan.length().words).append(" words.")
        .append(" Reply with the finished text only, without preamble or commentary.");
    return sb.toString();
  }

  @Override
  Plan plan(TextGenerationPayload p) {
    return new Plan(
        PayloadRules.requiredText("payload.prompt", p.prompt(), 8000),
        PayloadRules.choice("payload.kind", p.kind(), Kind.class, Kind.ARTICLE),
        PayloadRules.choice("payload.tone", p.tone(), Tone.class, Tone.NEUTRAL),
        PayloadRules.optionalText("payload.audience", p.audience(), 200),
        PayloadRules.choice("payload.length", p.length(), Length.class, Length.MEDIUM));
  }
}
