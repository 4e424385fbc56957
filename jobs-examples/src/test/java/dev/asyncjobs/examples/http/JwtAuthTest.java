package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The token rules without HTTP around them. */
class JwtAuthTest {
  private final JwtAuth auth = new JwtAuth("0123456789abcdef0123456789abcdef");

  @Test
  void aTokenItIssuedNamesItsSubject() {
    assertThat(auth.ownerOf(auth.issue("user-42", Duration.ofMinutes(5)))).isEqualTo("user-42");
  }

  @Test
  void aShortSecretIsAConfigurationErrorThatNamesTheSetting() {
    assertThatThrownBy(() -> new JwtAuth("too-short"))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("JOBS_JWT_SECRET")
        .hasMessageContaining("9 bytes")
        .hasMessageNotContaining("too-short");
  }

  @Test
  void randomSecretsAreLongEnoughAndDiffer() {
    String a = JwtAuth.randomSecret();
    String b = JwtAuth.randomSecret();
    assertThat(a).isNotEqualTo(b).hasSizeGreaterThanOrEqualTo(JwtAuth.MIN_SECRET_BYTES);
    new JwtAuth(a);
  }

  @Test
  void aMissingTokenSaysHowToSendOne() {
    assertThatThrownBy(() -> auth.ownerOf(null))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("Authorization: Bearer")
        .satisfies(e -> assertThat(((UnauthorizedException) e).tokenPresent()).isFalse());
  }

  @Test
  void anUnusableSubjectIsRefusedOnBothSides() {
    assertThatThrownBy(() -> auth.issue(" ", Duration.ofMinutes(1))).isInstanceOf(JobConfigurationException.class);
    assertThatThrownBy(() -> auth.issue("x".repeat(201), Duration.ofMinutes(1)))
        .isInstanceOf(JobConfigurationException.class);
  }
}
