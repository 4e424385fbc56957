package dev.asyncjobs;

/** The payload is larger than the configured limit (HTTP 413). */
public class PayloadTooLargeException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;
  /** Size of the refused payload in UTF-8 bytes. */
  private final long sizeBytes;
  /** The limit in bytes. */
  private final long limitBytes;

  /**
   * A payload of {@code sizeBytes} UTF-8 bytes exceeded {@code limitBytes}.
   *
   * @param sizeBytes the payload's size in UTF-8 bytes
   * @param limitBytes the limit in bytes
   */
  public PayloadTooLargeException(long sizeBytes, long limitBytes) {
    super("payload", "payload is " + sizeBytes + " bytes; the limit is " + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** {@return size of the refused payload in UTF-8 bytes} */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** {@return the limit in bytes} */
  public long limitBytes() {
    return limitBytes;
  }

  @Override
  public String code() {
    return "payload_too_large";
  }
}
