/**
 * A Server-Sent Events client for tests ({@link dev.asyncjobs.testing.sse.SseClient}): reads a
 * stream over a real connection as a browser parses it, and lets a test wait, with a deadline, for
 * the events it expects.
 */
@NullMarked
package dev.asyncjobs.testing.sse;

import org.jspecify.annotations.NullMarked;
