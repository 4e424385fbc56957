package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/**
 * An event stream was refused because a cap on open streams is reached (HTTP 429, {@code
 * too_many_streams}): the caller's own, or the server's in total.
 */
public final class TooManyStreamsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Seconds a client waits before it tries again: a stream closes when its client leaves. */
  static final int RETRY_AFTER_SECONDS = 5;

  /** Which cap was reached. */
  public enum Scope {
    /** The caller's own streams. */
    OWNER,
    /** The server's streams of every owner. */
    SERVER
  }

  private final Scope scope;
  private final int limit;

  /** A refusal at {@code limit} streams of {@code scope}. */
  public TooManyStreamsException(Scope scope, int limit) {
    super(scope == Scope.OWNER
        ? "you have " + limit + " event streams open, the most one user may; close one (another tab, say) and try again"
        : "the server has " + limit + " event streams open, the most it serves; try again shortly");
    this.scope = scope;
    this.limit = limit;
  }

  /** Which cap was reached. */
  public Scope scope() {
    return scope;
  }

  /** The cap. */
  public int limit() {
    return limit;
  }

  /** The problem a client gets. */
  Problem toProblem() {
    return new Problem(429, "too_many_streams", "Too many event streams", getMessage(),
        JsonNodeFactory.instance.objectNode().put("limit", scope.name().toLowerCase(java.util.Locale.ROOT)).put("limitValue", limit),
        Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
  }
}
