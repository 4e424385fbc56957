package dev.asyncjobs.generators.openai.internal;

import java.util.Locale;

/** A value of a payload field with a fixed set of allowed values (an enum), as it is written in JSON. */
public interface Choice {
  /** The enum constant's name. */
  String name();

  /** The JSON spelling, e.g. {@code social_post}: by default the constant's name in lowercase. */
  default String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
