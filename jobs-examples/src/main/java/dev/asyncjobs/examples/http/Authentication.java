package dev.asyncjobs.examples.http;

import io.javalin.http.Context;
import org.jspecify.annotations.Nullable;

/**
 * The before-filter of every {@code /api/} route: reads the bearer token, verifies it, and leaves
 * the owner on the request for the handlers.
 */
final class Authentication {
  private static final String CALLER = "asyncjobs.caller";
  private static final String BEARER = "Bearer ";

  private final JwtAuth jwt;
  private final String queryTokenPath;

  /**
   * A filter over {@code jwt}.
   *
   * @param queryTokenPath the one path that also takes {@code ?access_token=}: the SSE stream,
   *     because a browser's {@code EventSource} cannot send an Authorization header
   */
  Authentication(JwtAuth jwt, String queryTokenPath) {
    this.jwt = jwt;
    this.queryTokenPath = queryTokenPath;
  }

  /** Verifies the caller or throws {@link UnauthorizedException}. */
  void filter(Context ctx) {
    ctx.attribute(CALLER, jwt.verify(token(ctx)));
  }

  private @Nullable String token(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null) {
      if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        throw new UnauthorizedException("the Authorization header must read 'Bearer <JWT>'", true);
      }
      return header.substring(BEARER.length()).strip();
    }
    if (ctx.path().equals(queryTokenPath)) {
      return ctx.queryParam("access_token");
    }
    return null;
  }

  /** The verified owner of this request. */
  static String owner(Context ctx) {
    return caller(ctx).owner();
  }

  /** Whether the verified caller is an operator (may read cross-tenant statistics). */
  static boolean isOperator(Context ctx) {
    return caller(ctx).operator();
  }

  private static Caller caller(Context ctx) {
    Caller caller = ctx.attribute(CALLER);
    if (caller == null) {
      // Only reachable if a route were registered outside /api/: a bug, not a client error.
      throw new IllegalStateException("route reached without authentication: " + ctx.path());
    }
    return caller;
  }
}
