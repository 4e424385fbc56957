/**
 * A local HTTP server that speaks the OpenAI wire format ({@link
 * dev.asyncjobs.testing.openai.FakeOpenAi}), and reply bodies in the shapes the real API sends
 * ({@link dev.asyncjobs.testing.openai.OpenAiReplies}), for testing generators that call OpenAI
 * (through openai-java or any HTTP client) without a key or the network.
 */
@NullMarked
package dev.asyncjobs.testing.openai;

import org.jspecify.annotations.NullMarked;
