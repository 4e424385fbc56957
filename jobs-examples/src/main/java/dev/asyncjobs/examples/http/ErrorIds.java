package dev.asyncjobs.examples.http;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Short random ids that tie an answer to its operator-facing log entry: the client quotes the id,
 * the operator greps the log for it. Random, not sequential, so that an id says nothing about how
 * many errors the server has had.
 */
final class ErrorIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ErrorIds() {}

  /** A fresh id of 12 hex digits. */
  static String next() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
