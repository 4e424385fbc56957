package dev.asyncjobs.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signing and checking as the Standard Webhooks libraries do, with their published test vector. */
class WebhookSignatureTest {
  // The test vector of the Standard Webhooks reference libraries (and Svix's documentation).
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  private static final Instant THEN = Instant.ofEpochSecond(TIMESTAMP);

  @Test
  void signsTheStandardsTestVector() {
    assertThat(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void verifiesWithinTheToleranceOnlyAndWithAnyEntryOfTheHeader() {
    String other = WebhookSignature.newSecret();
    String header = WebhookSignature.header(List.of(other, SECRET), ID, TIMESTAMP, BODY);
    assertThat(header).endsWith(" " + SIGNATURE);

    assertThat(WebhookSignature.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header, THEN.plusSeconds(299), Duration.ofMinutes(5))).isTrue();
    assertThat(WebhookSignature.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header, THEN.plusSeconds(301), Duration.ofMinutes(5)))
        .as("a replay past the tolerance").isFalse();
    assertThat(WebhookSignature.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header, THEN.minusSeconds(301), Duration.ofMinutes(5)))
        .as("from the future").isFalse();
    assertThat(WebhookSignature.verify(SECRET, "msg_other", Long.toString(TIMESTAMP), BODY, header, THEN, Duration.ofMinutes(5))).isFalse();
    assertThat(WebhookSignature.verify(SECRET, ID, Long.toString(TIMESTAMP + 1), BODY, header, THEN, Duration.ofMinutes(5))).isFalse();
    assertThat(WebhookSignature.verify(SECRET, ID, "soon", BODY, header, THEN, Duration.ofMinutes(5))).isFalse();
  }

  @Test
  void badSecretsAreRefusedWithTheRule() {
    assertThatThrownBy(() -> WebhookSignature.checkSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts with whsec_");
    assertThatThrownBy(() -> WebhookSignature.checkSecret("whsec_!!!")).hasMessageContaining("base64");
    assertThatThrownBy(() -> WebhookSignature.checkSecret("whsec_c2hvcnQ=")).hasMessageContaining("24 to 64 bytes, this one is 5");
    assertThatThrownBy(() -> WebhookSignature.header(List.of(), ID, TIMESTAMP, BODY)).hasMessageContaining("at least one secret");
    assertThatThrownBy(() -> WebhookSecrets.of(Map.of("alice", List.of("plain")))).isInstanceOf(IllegalArgumentException.class);
    assertThat(WebhookSignature.checkSecret(WebhookSignature.newSecret())).startsWith("whsec_");
  }
}
