package dev.asyncjobs;

/**
 * A generator streamed more partial output in one attempt than the worker allows ({@link
 * JobWorker.Builder#maxOutputBytes}). Thrown by {@link JobContext#appendText} and {@link
 * JobContext#emitPart}; nothing of the refused piece is kept. A generator that does not catch it
 * fails the job for good, since another attempt would produce as much.
 */
public class OutputTooLargeException extends PermanentGenerationException {
  private static final long serialVersionUID = 1L;

  /** The limit, in UTF-8 bytes. */
  private final long limitBytes;

  /**
   * An attempt went past its output limit.
   *
   * @param limitBytes the limit, in UTF-8 bytes
   * @param wouldBeBytes the attempt's output with the refused piece
   */
  public OutputTooLargeException(long limitBytes, long wouldBeBytes) {
    super("the attempt's partial output would be " + wouldBeBytes + " bytes, over the limit of " + limitBytes
        + " bytes (JobWorker.Builder.maxOutputBytes)");
    this.limitBytes = limitBytes;
  }

  /** {@return the limit, in UTF-8 bytes of text and part JSON} */
  public long limitBytes() {
    return limitBytes;
  }

  @Override
  public String code() {
    return "output_too_large";
  }
}
