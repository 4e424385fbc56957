package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import dev.asyncjobs.JobConfigurationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issuer, audience, clock-skew leeway, maximum lifetime, string subjects and the operator claim,
 * against tokens shaped as an identity provider would send them; time is a fixed clock.
 */
class TokenRulesTest {
  private static final String SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
  private static final String SUPABASE_ISSUER = "https://abcdefghijklmnop.supabase.co/auth/v1";
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Algorithm HS256 = Algorithm.HMAC256(SECRET);

  private final JwtAuth supabase =
      new JwtAuth(SECRET, TokenRules.DEFAULT.withIssuerAndAudience(SUPABASE_ISSUER, "authenticated"), CLOCK);
  private final JwtAuth plain = new JwtAuth(SECRET, TokenRules.DEFAULT, CLOCK);

  /** A token as Supabase Auth signs it for a signed-in user (HS256 project secret). */
  private static JWTCreator.Builder supabaseToken(String sub) {
    return JWT.create()
        .withIssuer(SUPABASE_ISSUER)
        .withAudience("authenticated")
        .withSubject(sub)
        .withIssuedAt(NOW.minusSeconds(60))
        .withExpiresAt(NOW.plusSeconds(3540))
        .withClaim("role", "authenticated")
        .withClaim("email", "ada@example.com")
        .withClaim("aal", "aal1")
        .withClaim("session_id", UUID.randomUUID().toString())
        .withClaim("is_anonymous", false);
  }

  private static void assertRefused(JwtAuth auth, String token, String because) {
    assertThatThrownBy(() -> auth.verify(token))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining(because)
        .satisfies(e -> assertThat(((UnauthorizedException) e).tokenPresent()).isTrue());
  }

  @Test
  void aSupabaseUserTokenIsAccepted() {
    String user = UUID.randomUUID().toString();

    Caller caller = supabase.verify(supabaseToken(user).sign(HS256));

    assertThat(caller.owner()).isEqualTo(user);
    assertThat(caller.operator()).isFalse();
  }

  @Test
  void anotherIssuerIsRefused() {
    assertRefused(supabase, supabaseToken("u").withIssuer("https://evil.supabase.co/auth/v1").sign(HS256), "issuer");
    assertRefused(supabase, supabaseToken("u").withIssuer(null).sign(HS256), "issuer");
  }

  @Test
  void anotherAudienceIsRefused() {
    assertRefused(supabase, supabaseToken("u").withAudience("anon").sign(HS256), "audience");
    assertRefused(supabase, supabaseToken("u").withAudience((String[]) null).sign(HS256), "'aud'");
  }

  @Test
  void oneOfSeveralAudiencesIsEnough() {
    assertThat(supabase.verify(supabaseToken("u").withAudience("other", "authenticated").sign(HS256)).owner())
        .isEqualTo("u");
  }

  @Test
  void withoutConfiguredIssuerAndAudienceAnyAreAccepted() {
    assertThat(plain.verify(supabaseToken("u").withIssuer("https://anyone").withAudience("x").sign(HS256)).owner())
        .isEqualTo("u");
  }

  @Test
  void expiryHasThirtySecondsOfLeewayAndNoMore() {
    String justExpired = supabaseToken("u").withExpiresAt(NOW.minusSeconds(20)).sign(HS256);
    String longExpired = supabaseToken("u").withExpiresAt(NOW.minusSeconds(40)).sign(HS256);

    assertThat(supabase.verify(justExpired).owner()).isEqualTo("u");
    assertRefused(supabase, longExpired, "expired");
  }

  @Test
  void aTokenFromAClockSlightlyAheadIsAcceptedOneFarAheadIsNot() {
    String slightlyAhead = supabaseToken("u").withIssuedAt(NOW.plusSeconds(20)).sign(HS256);
    String farAhead = supabaseToken("u").withIssuedAt(NOW.plusSeconds(40)).sign(HS256);
    String notBeforeLater = supabaseToken("u").withNotBefore(NOW.plusSeconds(40)).sign(HS256);

    assertThat(supabase.verify(slightlyAhead).owner()).isEqualTo("u");
    assertRefused(supabase, farAhead, "not valid yet");
    assertRefused(supabase, notBeforeLater, "not valid yet");
  }

  @Test
  void aTokenMadeToLiveLongerThanTheMaximumIsRefused() {
    String dayAndAHalf = supabaseToken("u").withIssuedAt(NOW.minusSeconds(60)).withExpiresAt(NOW.plus(Duration.ofHours(36)))
        .sign(HS256);
    String fullDay = supabaseToken("u").withIssuedAt(NOW).withExpiresAt(NOW.plus(Duration.ofHours(24))).sign(HS256);

    assertRefused(supabase, dayAndAHalf, "lives longer than the 24 h");
    assertThat(supabase.verify(fullDay).owner()).isEqualTo("u");
  }

  @Test
  void withoutIatTheLifetimeLeftCounts() {
    String yearLong = JWT.create().withSubject("u").withExpiresAt(NOW.plus(Duration.ofDays(365))).sign(HS256);
    String hourLeft = JWT.create().withSubject("u").withExpiresAt(NOW.plus(Duration.ofHours(1))).sign(HS256);

    assertRefused(plain, yearLong, "lives longer");
    assertThat(plain.verify(hourLeft).owner()).isEqualTo("u");
  }

  @Test
  void theMaximumLifetimeIsConfigurable() {
    JwtAuth strict = new JwtAuth(SECRET, TokenRules.DEFAULT.withMaxLifetime(Duration.ofMinutes(30)), CLOCK);

    assertRefused(strict, supabaseToken("u").sign(HS256), "lives longer");
    assertThatThrownBy(() -> strict.issue("u", Duration.ofHours(1)))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("JOBS_JWT_MAX_LIFETIME");
  }

  @Test
  void aSubjectThatIsNotAStringIsRefused() {
    assertRefused(plain, JWT.create().withClaim("sub", 12345).withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(HS256),
        "'sub' claim must be a string");
    assertRefused(plain, JWT.create().withClaim("sub", true).withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(HS256),
        "'sub' claim must be a string");
    assertRefused(plain, JWT.create().withClaim("sub", List.of("a")).withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(HS256),
        "'sub' claim must be a string");
  }

  @Test
  void aMissingSubjectIsRefused() {
    assertRefused(plain, JWT.create().withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(HS256), "sub");
  }

  @Test
  void theOperatorClaimMakesAnOperatorAsAStringOrInAList() {
    assertThat(plain.verify(supabaseToken("ops").withClaim("role", "operator").sign(HS256)).operator()).isTrue();
    assertThat(plain.verify(supabaseToken("ops").withClaim("role", List.of("x", "operator")).sign(HS256)).operator()).isTrue();
    assertThat(plain.verify(supabaseToken("ops").withClaim("role", "service_role").sign(HS256)).operator()).isFalse();
    assertThat(plain.verify(plain.issueOperator("ops", Duration.ofMinutes(5))).operator()).isTrue();
    assertThat(plain.verify(plain.issue("ops", Duration.ofMinutes(5))).operator()).isFalse();
  }

  @Test
  void theOperatorClaimIsConfigurable() {
    JwtAuth custom = new JwtAuth(SECRET, TokenRules.DEFAULT.withOperator("app_role", "admin"), CLOCK);

    assertThat(custom.verify(supabaseToken("ops").withClaim("app_role", "admin").sign(HS256)).operator()).isTrue();
    assertThat(custom.verify(supabaseToken("ops").withClaim("role", "operator").sign(HS256)).operator()).isFalse();
  }

  @Test
  void tokensItIssuesCarryTheConfiguredIssuerAndAudience() {
    JwtAuth issuing = new JwtAuth(SECRET, TokenRules.DEFAULT.withIssuerAndAudience(SUPABASE_ISSUER, "authenticated"), CLOCK);

    String token = issuing.issue("u", Duration.ofHours(1));

    assertThat(supabase.verify(token).owner()).isEqualTo("u");
    assertThat(JWT.decode(token).getIssuer()).isEqualTo(SUPABASE_ISSUER);
  }

  @Test
  void badRulesNameTheirSetting() {
    assertThatThrownBy(() -> TokenRules.DEFAULT.withLeeway(Duration.ofSeconds(-1)))
        .hasMessageContaining("JOBS_JWT_LEEWAY_SECONDS");
    assertThatThrownBy(() -> TokenRules.DEFAULT.withMaxLifetime(Duration.ofSeconds(5)))
        .hasMessageContaining("JOBS_JWT_MAX_LIFETIME");
    assertThatThrownBy(() -> TokenRules.DEFAULT.withOperator(" ", "x")).hasMessageContaining("JOBS_OPERATOR_CLAIM");
  }
}
