package dev.asyncjobs.spi;

import dev.asyncjobs.JobEvent;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One piece of an attempt's partial output, stored as one event of the log (see {@link
 * JobStore#appendOutput}).
 *
 * @param kind {@link JobEvent.Kind#TEXT_DELTA}, {@link JobEvent.Kind#OUTPUT_PART} or {@link
 *     JobEvent.Kind#OUTPUT_RESTARTED}
 * @param data the text of a delta, the JSON of a part; empty for a restart
 */
public record OutputChunk(JobEvent.Kind kind, String data) {

  /**
   * Checks that the kind is an output kind.
   *
   * @param kind an output kind
   * @param data the text of a delta, the JSON of a part; empty for a restart
   */
  public OutputChunk {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(data, "data");
    if (!kind.isOutput()) {
      throw new IllegalArgumentException("an output chunk is TEXT_DELTA, OUTPUT_PART or OUTPUT_RESTARTED, was " + kind);
    }
  }

  /**
   * {@return a text delta}
   *
   * @param text the text that follows what came before
   */
  public static OutputChunk text(String text) {
    return new OutputChunk(JobEvent.Kind.TEXT_DELTA, text);
  }

  /**
   * {@return one part}
   *
   * @param json the part as JSON text
   */
  public static OutputChunk part(String json) {
    return new OutputChunk(JobEvent.Kind.OUTPUT_PART, json);
  }

  /**
   * {@return what the chunk's event carries as {@link JobEvent#data()}: the text or the part's
   * JSON; {@code null} for a restart marker, which carries none}
   */
  public @Nullable String eventData() {
    return kind == JobEvent.Kind.OUTPUT_RESTARTED ? null : data;
  }

  /** {@return the marker that an attempt starts its output afresh} */
  public static OutputChunk restarted() {
    return new OutputChunk(JobEvent.Kind.OUTPUT_RESTARTED, "");
  }
}
