package dev.asyncjobs.generators.openai.internal;

/** The progress each generator reports at its real stages. */
final class Stages {
  /** The payload was read and checked. */
  static final int VALIDATED = 5;
  /** The request went out. */
  static final int REQUEST_SENT = 10;
  /** OpenAI answered. */
  static final int RESPONSE_RECEIVED = 70;
  /** Images are in the artifact store. */
  static final int STORED = 90;
  /** The result is built and checked. */
  static final int POST_PROCESSED = 95;

  private Stages() {}
}
