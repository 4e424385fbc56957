package dev.asyncjobs.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.examples.http.JwtAuth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code token}: a token the server with the same secret accepts. */
class TokenCommandTest {
  private static final Map<String, String> ENV = Map.of("JOBS_JWT_SECRET", "k".repeat(32));

  @Test
  void printsATokenForTheSubjectAndLifetimeAsked() {
    String token = TokenCommand.run(List.of("--sub", "alice", "--ttl", "30m"), ENV);

    assertThat(new JwtAuth("k".repeat(32)).ownerOf(token)).isEqualTo("alice");
    DecodedJWT jwt = JWT.decode(token);
    assertThat(jwt.getAlgorithm()).isEqualTo("HS256");
    assertThat(jwt.getExpiresAtAsInstant()).isBetween(Instant.now().plus(Duration.ofMinutes(29)), Instant.now().plus(Duration.ofMinutes(31)));
  }

  @Test
  void defaultsToTheDemoUserForTwelveHours() {
    DecodedJWT jwt = JWT.decode(TokenCommand.run(List.of(), ENV));

    assertThat(jwt.getSubject()).isEqualTo("demo-user");
    assertThat(Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant())).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void aLifetimeOverTheServersMaximumIsAClearError() {
    assertThatThrownBy(() -> TokenCommand.run(List.of("--ttl", "7d"), ENV))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("--ttl 168h").hasMessageContaining("24h").hasMessageContaining("JOBS_JWT_MAX_LIFETIME");

    Map<String, String> longer = Map.of("JOBS_JWT_SECRET", "k".repeat(32), "JOBS_JWT_MAX_LIFETIME", "7d");
    DecodedJWT week = JWT.decode(TokenCommand.run(List.of("--ttl", "7d"), longer));
    assertThat(Duration.between(week.getIssuedAtAsInstant(), week.getExpiresAtAsInstant())).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void aShorterMaximumShortensTheDefault() {
    Map<String, String> env = Map.of("JOBS_JWT_SECRET", "k".repeat(32), "JOBS_JWT_MAX_LIFETIME", "1h");
    DecodedJWT jwt = JWT.decode(TokenCommand.run(List.of(), env));

    assertThat(Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant())).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theTokenCarriesTheConfiguredIssuerAndAudienceAndTheServerAcceptsIt() {
    Map<String, String> env = Map.of("JOBS_JWT_SECRET", "k".repeat(32),
        "JOBS_JWT_ISSUER", "https://ref.supabase.co/auth/v1", "JOBS_JWT_AUDIENCE", "authenticated");
    String token = TokenCommand.run(List.of("--sub", "ada"), env);

    assertThat(JWT.decode(token).getIssuer()).isEqualTo("https://ref.supabase.co/auth/v1");
    assertThat(new JwtAuth("k".repeat(32), AppSettings.tokenRules(env)).ownerOf(token)).isEqualTo("ada");
  }

  @Test
  void operatorMakesAnOperatorToken() {
    String token = TokenCommand.run(List.of("--sub", "ops", "--operator"), ENV);

    assertThat(new JwtAuth("k".repeat(32)).verify(token).operator()).isTrue();
    assertThat(new JwtAuth("k".repeat(32)).verify(TokenCommand.run(List.of(), ENV)).operator()).isFalse();
  }

  @Test
  void needsTheServersSecret() {
    assertThatThrownBy(() -> TokenCommand.run(List.of(), Map.of()))
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("JOBS_JWT_SECRET");
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> TokenCommand.run(List.of("--ttl", "forever"), ENV)).hasMessageContaining("forever");
    assertThatThrownBy(() -> TokenCommand.run(List.of("--ttl", "0h"), ENV)).hasMessageContaining("--ttl");
    assertThatThrownBy(() -> TokenCommand.run(List.of("--sub"), ENV)).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> TokenCommand.run(List.of("--aud", "x"), ENV)).hasMessageContaining("--aud");
  }
}
