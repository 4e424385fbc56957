package dev.asyncjobs.examples.http;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import dev.asyncjobs.JobConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * HS256 JSON Web Tokens, as Supabase issues them: the {@code sub} claim (a string) is the job
 * owner, {@code exp} is required and checked with some leeway for clock skew, a token may not live
 * longer than {@link TokenRules#maxLifetime()}, and {@code iss} and {@code aud} are checked when
 * configured. Verification is java-jwt's; this class only fixes the rules.
 */
public final class JwtAuth {
  /** HS256 wants a key at least as long as its hash: 32 bytes. */
  public static final int MIN_SECRET_BYTES = 32;

  private static final int MAX_SUBJECT_LENGTH = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Algorithm algorithm;
  private final TokenRules rules;
  private final Clock clock;
  private final JWTVerifier verifier;
  private final byte[] key;

  /** Tokens signed and checked with {@code secret} under the {@link TokenRules#DEFAULT} rules. */
  public JwtAuth(String secret) {
    this(secret, TokenRules.DEFAULT);
  }

  /**
   * Tokens signed and checked with {@code secret} under {@code rules}.
   *
   * @throws JobConfigurationException when the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  public JwtAuth(String secret, TokenRules rules) {
    this(secret, rules, Clock.systemUTC());
  }

  /** As {@link #JwtAuth(String, TokenRules)}, with the clock that expiry is checked against (for tests). */
  public JwtAuth(String secret, TokenRules rules, Clock clock) {
    int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < MIN_SECRET_BYTES) {
      throw new JobConfigurationException(
          "JOBS_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes for HS256, was " + bytes + " bytes");
    }
    this.key = secret.getBytes(StandardCharsets.UTF_8);
    this.algorithm = Algorithm.HMAC256(secret);
    this.rules = Objects.requireNonNull(rules, "rules");
    this.clock = Objects.requireNonNull(clock, "clock");
    Verification v = JWT.require(algorithm)
        .withClaimPresence("exp")
        // A numeric or object subject would be read as its text ("123"): refuse what is not a string.
        .withClaim("sub", (claim, jwt) -> claim.asString() != null)
        .acceptLeeway(rules.leeway().toSeconds());
    if (rules.issuer() != null) {
      v.withIssuer(rules.issuer());
    }
    if (rules.audience() != null) {
      v.withAnyOfAudience(rules.audience());
    }
    // Only BaseVerification (what JWT.require returns) takes a clock; Verification.build() does not.
    this.verifier = ((JWTVerifier.BaseVerification) v).build(clock);
  }

  /** The rules tokens are checked against. */
  public TokenRules rules() {
    return rules;
  }

  /** A fresh random secret (256 bits, base64url), for a process that was given none. */
  public static String randomSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  /**
   * A token for {@code subject} valid for {@code ttl} from now.
   *
   * @throws JobConfigurationException when {@code ttl} is longer than the maximum lifetime
   */
  public String issue(String subject, Duration ttl) {
    Instant now = clock.instant();
    return issue(subject, now, now.plus(ttl));
  }

  /** A token for {@code subject} issued at {@code issuedAt} that expires at {@code expiresAt}. */
  public String issue(String subject, Instant issuedAt, Instant expiresAt) {
    return sign(subject, issuedAt, expiresAt, false);
  }

  /** A token that also carries the operator claim: its bearer may read cross-tenant statistics. */
  public String issueOperator(String subject, Duration ttl) {
    Instant now = clock.instant();
    return sign(subject, now, now.plus(ttl), true);
  }

  private String sign(String subject, Instant issuedAt, Instant expiresAt, boolean operator) {
    checkSubject(subject);
    Duration lifetime = Duration.between(issuedAt, expiresAt);
    if (lifetime.compareTo(rules.maxLifetime()) > 0) {
      throw new JobConfigurationException("a token may live at most " + rules.maxLifetime()
          + " (JOBS_JWT_MAX_LIFETIME), asked for " + lifetime);
    }
    JWTCreator.Builder b = JWT.create().withSubject(subject).withIssuedAt(issuedAt).withExpiresAt(expiresAt);
    if (rules.issuer() != null) {
      b.withIssuer(rules.issuer());
    }
    if (rules.audience() != null) {
      b.withAudience(rules.audience());
    }
    if (operator) {
      b.withClaim(rules.operatorClaim(), rules.operatorValue());
    }
    return b.sign(algorithm);
  }

  /**
   * The owner a token speaks for.
   *
   * @throws UnauthorizedException see {@link #verify(String)}
   */
  public String ownerOf(@Nullable String token) {
    return verify(token).owner();
  }

  /**
   * The caller a token speaks for.
   *
   * @throws UnauthorizedException missing, malformed, wrongly signed, expired, not yet valid, too
   *     long-lived, from another issuer or for another audience, or an unusable subject; the
   *     message says which, never what the token holds
   */
  public Caller verify(@Nullable String token) {
    if (token == null || token.isBlank()) {
      throw new UnauthorizedException("a bearer token is required (Authorization: Bearer <JWT>)", false);
    }
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (TokenExpiredException e) {
      throw new UnauthorizedException("the token expired at " + e.getExpiredOn(), true);
    } catch (SignatureVerificationException e) {
      throw new UnauthorizedException("the token's signature is not valid", true);
    } catch (AlgorithmMismatchException e) {
      throw new UnauthorizedException("the token must be signed with HS256", true);
    } catch (JWTDecodeException e) {
      throw new UnauthorizedException("the token is not a well-formed JWT", true);
    } catch (MissingClaimException e) {
      throw new UnauthorizedException("the token lacks the '" + e.getClaimName() + "' claim", true);
    } catch (IncorrectClaimException e) {
      throw new UnauthorizedException(incorrect(e.getClaimName()), true);
    } catch (JWTVerificationException e) {
      throw new UnauthorizedException("the token was refused", true);
    }
    checkLifetime(jwt);
    String subject = jwt.getClaim("sub").asString();
    try {
      checkSubject(subject);
    } catch (JobConfigurationException e) {
      throw new UnauthorizedException("the token's subject is not a usable owner id", true);
    }
    return new Caller(Objects.requireNonNull(subject), isOperator(jwt.getClaim(rules.operatorClaim())));
  }

  private static String incorrect(String claim) {
    return switch (claim) {
      case "iss" -> "the token's issuer is not the one this server trusts";
      case "aud" -> "the token is not meant for this server (audience)";
      case "sub" -> "the token's 'sub' claim must be a string";
      case "iat", "nbf" -> "the token is not valid yet";
      default -> "the token's '" + claim + "' claim is not accepted";
    };
  }

  /**
   * A stolen long-lived token is a standing credential: refuse any that was made to live longer
   * than the rules allow, whatever its signature says.
   */
  private void checkLifetime(DecodedJWT jwt) {
    Instant expires = jwt.getExpiresAtAsInstant();
    Instant issued = jwt.getIssuedAtAsInstant();
    Duration lifetime = issued != null
        ? Duration.between(issued, expires)
        : Duration.between(clock.instant(), expires).minus(rules.leeway());
    if (lifetime.compareTo(rules.maxLifetime()) > 0) {
      throw new UnauthorizedException(
          "the token lives longer than the " + rules.maxLifetime().toHours() + " h this server accepts", true);
    }
  }

  private boolean isOperator(Claim claim) {
    if (claim.isMissing() || claim.isNull()) {
      return false;
    }
    String text = claim.asString();
    if (text != null) {
      return text.equals(rules.operatorValue());
    }
    try {
      List<String> list = claim.asList(String.class);
      return list != null && list.contains(rules.operatorValue());
    } catch (JWTDecodeException notAListOfStrings) {
      return false;
    }
  }

  /**
   * An HS256 algorithm under a key derived from the secret for one {@code purpose} (HMAC-SHA256 of
   * the purpose under the secret): what it signs verifies on every node that shares the secret,
   * yet never passes as a bearer token, whose key is the secret itself.
   */
  Algorithm derived(String purpose) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return Algorithm.HMAC256(mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static void checkSubject(@Nullable String subject) {
    if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT_LENGTH
        || subject.chars().anyMatch(Character::isISOControl)) {
      throw new JobConfigurationException(
          "token subject must be 1-" + MAX_SUBJECT_LENGTH + " printable characters");
    }
  }
}
