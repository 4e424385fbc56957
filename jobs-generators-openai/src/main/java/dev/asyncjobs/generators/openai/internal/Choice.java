package dev.asyncjobs.generators.openai.internal;

/** A value of a payload field with a fixed set of allowed values, as it is written in JSON. */
public interface Choice {
  /** The JSON spelling, e.g. {@code social_post}. */
  String wire();
}
