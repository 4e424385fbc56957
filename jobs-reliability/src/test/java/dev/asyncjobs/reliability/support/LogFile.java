package dev.asyncjobs.reliability.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The log a child JVM wrote with slf4j-simple ({@code HH:mm:ss.SSS [thread] LEVEL logger - message},
 * stack trace lines after it), read back as entries.
 */
public final class LogFile {
  /** One log entry (its first line; stack traces are not entries). */
  public record Entry(String time, String thread, String level, String logger, String message) {
    /** Whether it is a warning or an error. */
    public boolean isProblem() {
      return level.equals("WARN") || level.equals("ERROR");
    }

    @Override
    public String toString() {
      return time + " " + level + " " + logger + " - " + message;
    }
  }

  private static final Pattern LINE =
      Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) \\[([^\\]]*)\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");

  private LogFile() {}

  /** Every entry of the file, in order. */
  public static List<Entry> read(Path file) {
    try {
      List<Entry> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
          out.add(new Entry(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
