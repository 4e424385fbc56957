package dev.asyncjobs.testing.internal;

import org.jspecify.annotations.Nullable;

/** Settings read from a system property, else the environment variable of the same name. */
public final class Settings {
  private Settings() {}

  /**
   * The setting {@code name}.
   *
   * @param name e.g. {@code JOBS_TEST_JDBC_URL}
   * @param fallback the value when neither is set
   * @return the system property, else the environment variable, else {@code fallback}
   */
  public static @Nullable String get(String name, @Nullable String fallback) {
    String v = System.getProperty(name);
    if (v == null) {
      v = System.getenv(name);
    }
    return v != null ? v : fallback;
  }
}
