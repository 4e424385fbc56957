package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@code text_generation} job.
 *
 * @param text the text written
 * @param kind article, email, …
 * @param tone the tone asked for
 * @param length short, medium or long
 * @param audience the audience asked for, if any
 * @param model the chat model
 * @param finishReason why the model stopped ({@code stop}, {@code length})
 * @param truncated whether the text was cut off at the token limit
 * @param usage tokens used, when OpenAI reports them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TextGenerationResult(
    String text,
    String kind,
    String tone,
    String length,
    @Nullable String audience,
    String model,
    String finishReason,
    boolean truncated,
    @Nullable TokenUsage usage) {}
