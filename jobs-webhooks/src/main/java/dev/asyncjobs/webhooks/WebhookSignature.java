package dev.asyncjobs.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures in the <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> convention:
 * the secret is {@code whsec_} and the base64 of its key bytes; the signed content is {@code
 * <webhook-id>.<webhook-timestamp>.<body>}; the {@code webhook-signature} header holds {@code
 * v1,<base64 of its HMAC-SHA256>}, one such entry per secret (separated by spaces) while a secret
 * is being rotated. The Standard Webhooks libraries of other languages verify what this signs; a
 * Java receiver can use {@link #verify}.
 */
public final class WebhookSignature {
  /** The prefix of a secret. */
  public static final String SECRET_PREFIX = "whsec_";
  /** The fewest key bytes a secret may have (Standard Webhooks asks for 24 to 64). */
  public static final int MIN_KEY_BYTES = 24;
  /** The most key bytes a secret may have. */
  public static final int MAX_KEY_BYTES = 64;
  /** How far a timestamp may be from the receiver's clock by default: five minutes, as the standard suggests. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /**
   * {@return a new random secret of 32 key bytes, as {@code whsec_<base64>}}
   */
  public static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /**
   * Checks a secret's form.
   *
   * @param secret the secret
   * @return the secret
   * @throws IllegalArgumentException it is not {@code whsec_} and the base64 of 24 to 64 bytes
   */
  public static String checkSecret(String secret) {
    key(secret);
    return secret;
  }

  /**
   * The {@code v1,<base64>} entry of one secret.
   *
   * @param secret a {@code whsec_} secret
   * @param id the message's {@code webhook-id}
   * @param timestamp the {@code webhook-timestamp}, in seconds since the epoch
   * @param body the body, exactly as sent
   * @return the signature entry
   * @throws IllegalArgumentException the secret is not valid
   */
  public static String sign(String secret, String id, long timestamp, String body) {
    return "v1," + Base64.getEncoder().encodeToString(mac(key(secret), id + "." + timestamp + "." + body));
  }

  /**
   * The {@code webhook-signature} header of a message: one entry per secret, in the given order.
   *
   * @param secrets the secrets, at least one
   * @param id the message's {@code webhook-id}
   * @param timestamp the {@code webhook-timestamp}, in seconds since the epoch
   * @param body the body, exactly as sent
   * @return the header's value
   * @throws IllegalArgumentException no secret, or one is not valid
   */
  public static String header(List<String> secrets, String id, long timestamp, String body) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is needed to sign");
    }
    StringBuilder out = new StringBuilder();
    for (String s : secrets) {
      out.append(out.length() == 0 ? "" : " ").append(sign(s, id, timestamp, body));
    }
    return out.toString();
  }

  /**
   * Whether a received message is signed with {@code secret} and its timestamp is within {@code
   * tolerance} of {@code now} (which turns a replayed old message away). Compares in constant time.
   *
   * @param secret the receiver's {@code whsec_} secret for this sender
   * @param id the {@code webhook-id} header
   * @param timestamp the {@code webhook-timestamp} header
   * @param body the body, exactly as received
   * @param signatureHeader the {@code webhook-signature} header
   * @param now the receiver's time
   * @param tolerance how far the timestamp may be from {@code now}
   * @return true when one entry of the header is the signature and the timestamp is recent
   * @throws IllegalArgumentException the secret is not valid
   */
  public static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader,
      Instant now, Duration tolerance) {
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
      return false;
    }
    byte[] expected = sign(secret, id, seconds, body).getBytes(StandardCharsets.US_ASCII);
    boolean found = false;
    for (String entry : signatureHeader.split(" ")) {
      // No early exit, so the time taken does not tell which entry matched.
      found |= MessageDigest.isEqual(expected, entry.getBytes(StandardCharsets.US_ASCII));
    }
    return found;
  }

  private static byte[] key(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (!secret.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX + " (make one with WebhookSignature.newSecret())");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret is " + SECRET_PREFIX + " and then base64: " + e.getMessage());
    }
    if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "a webhook secret's key is " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes, this one is " + key.length);
    }
    return key;
  }

  private static byte[] mac(byte[] key, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
