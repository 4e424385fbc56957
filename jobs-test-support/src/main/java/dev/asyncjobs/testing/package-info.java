/**
 * Waiting in tests without blind sleeps: {@link dev.asyncjobs.testing.Waits} polls a condition until
 * it holds or a {@link dev.asyncjobs.testing.Deadline} passes, and fails the test with what it
 * waited for instead of hanging it. The sub-packages hold the PostgreSQL bootstrap ({@code
 * postgres}), an OpenAI-shaped local server ({@code openai}) and a Server-Sent Events client
 * ({@code sse}).
 */
@NullMarked
package dev.asyncjobs.testing;

import org.jspecify.annotations.NullMarked;
