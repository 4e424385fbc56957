package dev.asyncjobs.generators.openai;

/**
 * Tokens a chat completion used, as OpenAI counted them.
 *
 * @param promptTokens tokens of the request
 * @param completionTokens tokens of the reply
 * @param totalTokens both
 */
public record TokenUsage(long promptTokens, long completionTokens, long totalTokens) {}
