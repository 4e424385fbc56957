package dev.asyncjobs.reliability.support;

import java.time.Duration;

/**
 * The sizes of the long-running tests, from system properties that the module's pom sets (and its
 * {@code chaos} profile raises), with the verify-sized values as fallbacks for an IDE run.
 */
public final class Sizes {
  private Sizes() {}

  /** An integer setting. */
  public static int count(String name, int fallback) {
    return Integer.getInteger(name, fallback);
  }

  /** A duration setting in ISO-8601 ({@code PT20S}). */
  public static Duration duration(String name, Duration fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : Duration.parse(v);
  }
}
