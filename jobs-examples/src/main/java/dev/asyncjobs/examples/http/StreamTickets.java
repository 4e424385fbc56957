package dev.asyncjobs.examples.http;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Short-lived, single-purpose tickets that open the event stream in place of the bearer token,
 * because a browser's {@code EventSource} cannot send headers and a URL ends up in logs.
 *
 * <p>A ticket is a JWT signed with a key derived from the server's secret ({@link
 * JwtAuth#derived}), so it is self-contained and any node sharing the secret accepts it, and it can
 * never pass as a bearer token: the bearer check uses the secret itself. It names the owner
 * ({@code sub}), its purpose ({@code aud}), when it stops opening streams ({@code exp}, by default
 * 60 s after it was minted, never after the token that minted it) and when a stream it opened must
 * end ({@value #STREAM_END}: the minting token's own {@code exp}). Each ticket opens one stream: a
 * node remembers the ids ({@code jti}) it redeemed until they expire. (Across nodes a ticket could
 * open one stream per node within its minute, for the same owner only.)
 */
final class StreamTickets {
  /** The audience of a stream ticket: nothing else accepts it. */
  static final String AUDIENCE = "asyncjobs:event-stream";
  /** The claim with the instant (epoch seconds) a stream opened by the ticket ends. */
  static final String STREAM_END = "stream_exp";
  /** How often at most the memory of redeemed tickets is swept. */
  private static final Duration SWEEP = Duration.ofSeconds(1);

  /**
   * A ticket as the API answers it.
   *
   * @param ticket the ticket, for {@code ?ticket=}
   * @param expiresAt the last instant it opens a stream
   * @param streamEndsAt when a stream it opened ends (the minting token's expiry)
   */
  record Ticket(String ticket, Instant expiresAt, Instant streamEndsAt) {}

  /**
   * What a redeemed ticket grants.
   *
   * @param owner whose events the stream carries
   * @param streamEndsAt when the stream must end
   */
  record Grant(String owner, Instant streamEndsAt) {}

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Clock clock;
  private final Duration ttl;
  /** Ids of redeemed tickets, with their expiry: a ticket opens one stream. */
  private final Map<String, Instant> redeemed = new ConcurrentHashMap<>();
  private volatile Instant nextSweep = Instant.MIN;

  /**
   * Tickets signed under a key derived from {@code auth}'s secret.
   *
   * @param ttl how long a ticket opens a stream after it was minted
   */
  StreamTickets(JwtAuth auth, Clock clock, Duration ttl) {
    this.algorithm = auth.derived(AUDIENCE);
    this.clock = clock;
    this.ttl = ttl;
    JWTVerifier.BaseVerification verification = (JWTVerifier.BaseVerification) JWT.require(algorithm)
        .withAudience(AUDIENCE)
        .withClaimPresence("sub")
        .withClaimPresence("exp")
        .withClaimPresence("jti")
        .withClaimPresence(STREAM_END);
    this.verifier = verification.build(clock);
  }

  /**
   * {@code POST /api/stream-tickets}: a ticket for the caller, answered as {@code {ticket,
   * expiresAt, streamEndsAt}}; never cached.
   */
  void create(Context ctx) {
    Ticket t = mint(Authentication.owner(ctx), Authentication.expiresAt(ctx));
    ctx.header("Cache-Control", "no-store");
    HttpIo.json(ctx, 200, JsonNodeFactory.instance.objectNode()
        .put("ticket", t.ticket())
        .put("expiresAt", t.expiresAt().toString())
        .put("streamEndsAt", t.streamEndsAt().toString()));
  }

  /** A ticket for {@code owner}, whose credential expires at {@code credentialExpiresAt}. */
  Ticket mint(String owner, Instant credentialExpiresAt) {
    Instant now = clock.instant();
    Instant expires = min(now.plus(ttl), credentialExpiresAt);
    String ticket = JWT.create()
        .withSubject(owner)
        .withAudience(AUDIENCE)
        .withJWTId(UUID.randomUUID().toString())
        .withIssuedAt(now)
        .withExpiresAt(expires)
        .withClaim(STREAM_END, credentialExpiresAt.getEpochSecond())
        .sign(algorithm);
    // JWT times are whole seconds: answer what the ticket says, not what was asked.
    return new Ticket(ticket, Instant.ofEpochSecond(expires.getEpochSecond()), Instant.ofEpochSecond(credentialExpiresAt.getEpochSecond()));
  }

  /**
   * Redeems a ticket: once, before it expires.
   *
   * @throws UnauthorizedException a malformed, forged, expired or used ticket; the message says
   *     which, never what it holds
   */
  Grant redeem(String ticket) {
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(ticket);
    } catch (TokenExpiredException e) {
      throw new UnauthorizedException(
          "the stream ticket expired at " + e.getExpiredOn() + "; get a new one with POST /api/stream-tickets", true);
    } catch (SignatureVerificationException e) {
      throw new UnauthorizedException("the stream ticket's signature is not valid", true);
    } catch (JWTDecodeException e) {
      throw new UnauthorizedException("the stream ticket is not a well-formed ticket", true);
    } catch (JWTVerificationException e) {
      throw new UnauthorizedException("the stream ticket was refused: " + e.getMessage(), true);
    }
    sweep();
    if (redeemed.putIfAbsent(jwt.getId(), jwt.getExpiresAtAsInstant()) != null) {
      throw new UnauthorizedException(
          "the stream ticket was used already: each opens one stream; get a new one with POST /api/stream-tickets", true);
    }
    return new Grant(jwt.getSubject(), Instant.ofEpochSecond(jwt.getClaim(STREAM_END).asLong()));
  }

  /** Whether {@code token} is (unverified) shaped as a stream ticket, to explain a refusal. */
  static boolean looksLikeTicket(@Nullable String token) {
    if (token == null) {
      return false;
    }
    try {
      java.util.List<String> audience = JWT.decode(token).getAudience();
      return audience != null && audience.contains(AUDIENCE);
    } catch (JWTDecodeException e) {
      return false;
    }
  }

  /** Forgets redeemed tickets that have expired: they are refused for their expiry anyway. */
  private void sweep() {
    Instant now = clock.instant();
    if (now.isBefore(nextSweep)) {
      return;
    }
    nextSweep = now.plus(SWEEP);
    redeemed.values().removeIf(expiry -> expiry.isBefore(now.minusSeconds(1)));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
