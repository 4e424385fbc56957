package dev.asyncjobs.examples.http;

import dev.asyncjobs.JobConfigurationException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a token must say besides its signature: who issued it and for whom (when configured), how
 * far clocks may disagree, how long a token may live at most, and which claim makes its bearer an
 * operator. A Supabase project's tokens pass with {@code issuer = https://<ref>.supabase.co/auth/v1}
 * and {@code audience = authenticated}.
 *
 * @param issuer the required {@code iss}, or null to accept any
 * @param audience the required {@code aud} (one of the token's audiences), or null to accept any
 * @param leeway how far {@code exp}, {@code nbf} and {@code iat} may be off (clock skew)
 * @param maxLifetime the longest {@code exp - iat} (or {@code exp - now} without {@code iat}) accepted
 * @param operatorClaim the claim that names the bearer's role
 * @param operatorValue the value of {@link #operatorClaim} (or one element of it, when a list) that
 *     makes the bearer an operator
 */
public record TokenRules(
    @Nullable String issuer,
    @Nullable String audience,
    Duration leeway,
    Duration maxLifetime,
    String operatorClaim,
    String operatorValue) {

  /** No issuer or audience required, 30 s leeway, 24 h lifetime, operators by {@code role = operator}. */
  public static final TokenRules DEFAULT =
      new TokenRules(null, null, Duration.ofSeconds(30), Duration.ofHours(24), "role", "operator");

  /** Checks the values, naming the setting that holds each. */
  public TokenRules {
    Objects.requireNonNull(leeway, "leeway");
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new JobConfigurationException("JOBS_JWT_LEEWAY_SECONDS must be 0-600, was " + leeway.toSeconds());
    }
    if (maxLifetime.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new JobConfigurationException("JOBS_JWT_MAX_LIFETIME must be at least 1m, was " + maxLifetime);
    }
    if (operatorClaim.isBlank() || operatorValue.isBlank()) {
      throw new JobConfigurationException("JOBS_OPERATOR_CLAIM and JOBS_OPERATOR_VALUE must not be blank");
    }
    if (issuer != null && issuer.isBlank()) {
      issuer = null;
    }
    if (audience != null && audience.isBlank()) {
      audience = null;
    }
  }

  /** A copy that requires {@code newIssuer} and {@code newAudience} (either may be null). */
  public TokenRules withIssuerAndAudience(@Nullable String newIssuer, @Nullable String newAudience) {
    return new TokenRules(newIssuer, newAudience, leeway, maxLifetime, operatorClaim, operatorValue);
  }

  /** A copy with another leeway. */
  public TokenRules withLeeway(Duration newLeeway) {
    return new TokenRules(issuer, audience, newLeeway, maxLifetime, operatorClaim, operatorValue);
  }

  /** A copy with another maximum lifetime. */
  public TokenRules withMaxLifetime(Duration newMaxLifetime) {
    return new TokenRules(issuer, audience, leeway, newMaxLifetime, operatorClaim, operatorValue);
  }

  /** A copy where {@code claim = value} makes an operator. */
  public TokenRules withOperator(String claim, String value) {
    return new TokenRules(issuer, audience, leeway, maxLifetime, claim, value);
  }
}
