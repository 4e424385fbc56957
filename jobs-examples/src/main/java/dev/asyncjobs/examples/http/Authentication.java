package dev.asyncjobs.examples.http;

import com.auth0.jwt.JWT;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The before-filter of every {@code /api/} route: reads the bearer token (or, on the event stream
 * only, a stream ticket), verifies it, and leaves the owner and the instant the credential expires
 * on the request for the handlers.
 */
final class Authentication {
  private static final String CALLER = "asyncjobs.caller";
  private static final String EXPIRES = "asyncjobs.expires";
  private static final String BEARER = "Bearer ";
  /** Query parameters a token could be put in; all refused, since URLs end up in logs and history. */
  private static final List<String> TOKEN_PARAMETERS = List.of("access_token", "token");

  private final JwtAuth jwt;
  private final StreamTickets tickets;
  private final String ticketPath;

  /**
   * A filter over {@code jwt}.
   *
   * @param ticketPath the one path that also takes {@code ?ticket=}: the SSE stream, because a
   *     browser's {@code EventSource} cannot send an Authorization header
   */
  Authentication(JwtAuth jwt, StreamTickets tickets, String ticketPath) {
    this.jwt = jwt;
    this.tickets = tickets;
    this.ticketPath = ticketPath;
  }

  /** Verifies the caller or throws {@link UnauthorizedException}. */
  void filter(Context ctx) {
    for (String name : TOKEN_PARAMETERS) {
      if (ctx.queryParam(name) != null) {
        // Refused even beside a valid header: a client that puts its token in a URL should learn now.
        throw new UnauthorizedException("the token is not accepted in the URL (?" + name + "=), where logs and"
            + " history keep it: send 'Authorization: Bearer <JWT>'; for the event stream get a short-lived"
            + " ticket with POST /api/stream-tickets and pass it as ?ticket=", false);
      }
    }
    String header = ctx.header("Authorization");
    String ticket = ctx.queryParam("ticket");
    if (header == null && ticket != null && ctx.path().equals(ticketPath)) {
      StreamTickets.Grant grant = tickets.redeem(ticket);
      // A ticket is a tenant's: it never carries the operator claim.
      ctx.attribute(CALLER, new Caller(grant.owner(), false));
      ctx.attribute(EXPIRES, grant.streamEndsAt());
      return;
    }
    String token = bearer(header);
    Caller caller;
    try {
      caller = jwt.verify(token);
    } catch (UnauthorizedException e) {
      if (StreamTickets.looksLikeTicket(token)) {
        throw new UnauthorizedException("a stream ticket only opens the event stream, as GET " + ticketPath
            + "?ticket=<ticket>; send the token itself as 'Authorization: Bearer <JWT>' here", true);
      }
      throw e;
    }
    ctx.attribute(CALLER, caller);
    // Verified above, so reading the claim without checking it again is safe; exp is required.
    ctx.attribute(EXPIRES, JWT.decode(token).getExpiresAtAsInstant());
  }

  private static @Nullable String bearer(@Nullable String header) {
    if (header == null) {
      return null;
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new UnauthorizedException("the Authorization header must read 'Bearer <JWT>'", true);
    }
    return header.substring(BEARER.length()).strip();
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

  /**
   * When the credential of this request expires: the bearer token's {@code exp}, or for a stream
   * opened with a ticket the {@code exp} of the token that minted it.
   */
  static Instant expiresAt(Context ctx) {
    Instant expires = ctx.attribute(EXPIRES);
    if (expires == null) {
      throw new IllegalStateException("route reached without authentication: " + ctx.path());
    }
    return expires;
  }
}
