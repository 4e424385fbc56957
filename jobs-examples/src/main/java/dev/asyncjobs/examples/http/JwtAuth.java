package dev.asyncjobs.examples.http;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import dev.asyncjobs.JobConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * HS256 JSON Web Tokens, as Supabase issues them: the {@code sub} claim is the job owner, {@code
 * exp} is required and checked. Verification is java-jwt's; this class only fixes the rules.
 */
public final class JwtAuth {
  /** HS256 wants a key at least as long as its hash: 32 bytes. */
  public static final int MIN_SECRET_BYTES = 32;

  private static final int MAX_SUBJECT_LENGTH = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final byte[] key;

  /**
   * Tokens signed and checked with {@code secret}.
   *
   * @throws JobConfigurationException when the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
   */
  public JwtAuth(String secret) {
    int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < MIN_SECRET_BYTES) {
      throw new JobConfigurationException(
          "JOBS_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes for HS256, was " + bytes + " bytes");
    }
    this.key = secret.getBytes(StandardCharsets.UTF_8);
    this.algorithm = Algorithm.HMAC256(secret);
    this.verifier = JWT.require(algorithm).withClaimPresence("sub").withClaimPresence("exp").build();
  }

  /** A fresh random secret (256 bits, base64url), for a process that was given none. */
  public static String randomSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  /** A token for {@code subject} valid for {@code ttl} from now. */
  public String issue(String subject, Duration ttl) {
    Instant now = Instant.now();
    return issue(subject, now, now.plus(ttl));
  }

  /** A token for {@code subject} issued at {@code issuedAt} that expires at {@code expiresAt}. */
  public String issue(String subject, Instant issuedAt, Instant expiresAt) {
    checkSubject(subject);
    return JWT.create().withSubject(subject).withIssuedAt(issuedAt).withExpiresAt(expiresAt).sign(algorithm);
  }

  /**
   * The owner a token speaks for.
   *
   * @throws UnauthorizedException missing, malformed, wrongly signed or expired token, or an
   *     unusable subject; the message says which, never what the token holds
   */
  public String ownerOf(@Nullable String token) {
    if (token == null || token.isBlank()) {
      throw new UnauthorizedException("a bearer token is required (Authorization: Bearer <JWT>)", false);
    }
    String subject;
    try {
      subject = verifier.verify(token).getSubject();
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
    } catch (JWTVerificationException e) {
      throw new UnauthorizedException("the token was refused: " + e.getMessage(), true);
    }
    try {
      checkSubject(subject);
    } catch (JobConfigurationException e) {
      throw new UnauthorizedException("the token's subject is not a usable owner id", true);
    }
    return subject;
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
