package dev.asyncjobs.testing;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The rule for tests that need something outside the JVM (a browser, PostgreSQL's server binaries):
 * outside CI a missing prerequisite skips them, loudly; under {@code CI=true} it fails, so that CI
 * can never pass without them.
 */
public final class Prerequisites {
  private Prerequisites() {}

  /**
   * {@return null when nothing is missing, else the reason to skip the test with} Outside CI it
   * also prints a warning on the build's console (Surefire sends {@code System.err} to a report
   * file; the process's own stderr reaches the console).
   *
   * @param test the test's name, for the messages
   * @param missing what is missing and how to get it, or null when nothing is
   * @throws AssertionError something is missing and {@code CI=true}
   */
  public static @Nullable String skipReason(String test, @Nullable String missing) {
    if (missing == null) {
      return null;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true, so " + test + " may not be skipped: " + missing);
    }
    new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8)
        .println("[WARNING] " + test + " SKIPPED: " + missing);
    return test + " SKIPPED (CI is not set): " + missing;
  }
}
